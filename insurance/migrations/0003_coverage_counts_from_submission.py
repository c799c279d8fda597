"""学平险 coverage no longer asks for the school's students and poor students: they are the
yearly counts of the school's Submission (workstudy), entered once in the counts form.

Data move, per coverage row (school, year):
- no Submission for that school and year: one is created (status 填报中) holding the
  coverage's numbers as 学生人数 / 贫困家庭学生人数;
- a Submission whose 学生人数 (or 贫困家庭学生人数) is empty gets the coverage's number;
- both filled and different (a conflict): the Submission's number is kept — it is the
  school's own return, and rule INS-13 had already made 在校学生数 <= 学生人数 — and the
  coverage's number is dropped. Every conflict is printed while migrating
  ("coverage conflict: school <code> year <y>: ...") so the bureau can check it; the old
  value also stays in the coverage's change history (HistoricalStudentAccidentCoverage keeps
  its rows; only the columns go).
  The demo data has no conflicts (the demo's coverage took the submission's counts).
Reversing copies the Submission's counts back into the coverage columns.
"""

from django.db import migrations, models


def move_counts(apps, schema_editor):
    Coverage = apps.get_model("insurance", "StudentAccidentCoverage")
    Submission = apps.get_model("workstudy", "Submission")
    for cov in Coverage.objects.select_related("school").order_by("year_id", "school__code").iterator():
        sub = Submission.objects.filter(school_id=cov.school_id, year_id=cov.year_id).first()
        if sub is None:
            Submission.objects.create(
                school_id=cov.school_id, year_id=cov.year_id, student_count=cov.enrolled,
                poor_student_count=cov.poor_students,
            )
            continue
        changes = {}
        for field, value, label in (("student_count", cov.enrolled, "students"),
                                    ("poor_student_count", cov.poor_students, "poor students")):
            current = getattr(sub, field)
            if current is None:
                changes[field] = value
            elif current != value:
                print(f"\n  coverage conflict: school {cov.school.code} year {cov.year_id}: {label} "
                      f"{current} (submission, kept) vs {value} (coverage, dropped)")
        if changes:
            Submission.objects.filter(pk=sub.pk).update(**changes)


def restore_counts(apps, schema_editor):
    Coverage = apps.get_model("insurance", "StudentAccidentCoverage")
    Submission = apps.get_model("workstudy", "Submission")
    for cov in Coverage.objects.all():
        sub = Submission.objects.filter(school_id=cov.school_id, year_id=cov.year_id).first()
        Coverage.objects.filter(pk=cov.pk).update(
            enrolled=(sub.student_count or 0) if sub else 0,
            poor_students=(sub.poor_student_count or 0) if sub else 0,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('insurance', '0002_claim_incident_order_indexes'),
        ('workstudy', '0002_importupload'),
    ]

    operations = [
        migrations.AlterField(
            model_name='studentaccidentcoverage', name='enrolled',
            field=models.PositiveIntegerField(default=0, verbose_name='在校学生数（人）'),
        ),
        migrations.AlterField(
            model_name='historicalstudentaccidentcoverage', name='enrolled',
            field=models.PositiveIntegerField(default=0, verbose_name='在校学生数（人）'),
        ),
        migrations.RunPython(move_counts, restore_counts),
        migrations.RemoveField(
            model_name='historicalstudentaccidentcoverage',
            name='enrolled',
        ),
        migrations.RemoveField(
            model_name='historicalstudentaccidentcoverage',
            name='poor_students',
        ),
        migrations.RemoveField(
            model_name='studentaccidentcoverage',
            name='enrolled',
        ),
        migrations.RemoveField(
            model_name='studentaccidentcoverage',
            name='poor_students',
        ),
    ]
