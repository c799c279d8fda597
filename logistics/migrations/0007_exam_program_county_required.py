import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The programme's county is required and unique with the year (after 0006 filled it)."""

    dependencies = [("logistics", "0006_exam_program_per_county")]

    operations = [
        migrations.AlterField(
            model_name="examlodgingprogram",
            name="county",
            field=models.ForeignKey(
                blank=True, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="workstudy.region", verbose_name="所属县（市、区）",
            ),
        ),
        migrations.AddConstraint(
            model_name="examlodgingprogram",
            constraint=models.UniqueConstraint(
                fields=("year", "county"), name="logistics_exam_program_one_per_county_year",
                violation_error_message="本县（市、区）该年度已有中考食宿保障记录。",
            ),
        ),
    ]
