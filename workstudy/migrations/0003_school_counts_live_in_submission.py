"""School.staff_count / student_count are removed: a school's staff, students, boarders
and poor students differ by year and live only on its Submission for the year.

Before, pages fell back to the School's counts wherever a Submission's count was empty
(the school sheet, the summary's examples), so editing the School changed locked years.
To keep every page showing what it showed before, the School's counts are copied into
each of its Submissions (every year, locked or open) whose count is still empty. Runs
after insurance 0003, which first moved the 学平险 coverage's yearly numbers into empty
Submission counts (those are the year's own figures, so they take precedence over the
School's undated ones). Reversing copies the newest Submission's counts back.
"""

from django.db import migrations


def copy_school_counts(apps, schema_editor):
    School = apps.get_model("workstudy", "School")
    Submission = apps.get_model("workstudy", "Submission")
    for school_id, staff, students in School.objects.values_list("id", "staff_count", "student_count"):
        Submission.objects.filter(school_id=school_id, staff_count__isnull=True).update(staff_count=staff)
        Submission.objects.filter(school_id=school_id, student_count__isnull=True).update(student_count=students)


def restore_school_counts(apps, schema_editor):
    School = apps.get_model("workstudy", "School")
    Submission = apps.get_model("workstudy", "Submission")
    for school in School.objects.all():
        sub = Submission.objects.filter(school_id=school.pk).order_by("-year_id").first()
        if sub is not None:
            School.objects.filter(pk=school.pk).update(
                staff_count=sub.staff_count or 0, student_count=sub.student_count or 0)


class Migration(migrations.Migration):

    dependencies = [
        ('workstudy', '0002_importupload'),
        ('insurance', '0003_coverage_counts_from_submission'),
    ]

    operations = [
        migrations.RunPython(copy_school_counts, restore_school_counts),
        migrations.RemoveField(
            model_name='historicalschool',
            name='staff_count',
        ),
        migrations.RemoveField(
            model_name='historicalschool',
            name='student_count',
        ),
        migrations.RemoveField(
            model_name='school',
            name='staff_count',
        ),
        migrations.RemoveField(
            model_name='school',
            name='student_count',
        ),
    ]
