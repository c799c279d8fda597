import django.db.models.deletion
from django.db import migrations, models


def county_of_operator(apps, schema_editor):
    """Each existing programme belongs to its operator's county."""
    Program = apps.get_model("logistics", "ExamLodgingProgram")
    for program in Program.objects.filter(county__isnull=True).select_related("operator"):
        Program.objects.filter(pk=program.pk).update(county_id=program.operator.county_id)


class Migration(migrations.Migration):
    """One 中考食宿保障 per county and year (was: one per year for the whole deployment)."""

    dependencies = [
        ("logistics", "0005_county_required"),
        ("workstudy", "0010_county_locks"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="examlodgingprogram",
            options={"ordering": ["-year_id", "county_id"], "verbose_name": "中考食宿保障",
                     "verbose_name_plural": "中考食宿保障"},
        ),
        migrations.AddField(
            model_name="examlodgingprogram",
            name="county",
            field=models.ForeignKey(
                blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="workstudy.region", verbose_name="所属县（市、区）",
            ),
        ),
        migrations.AddField(
            model_name="historicalexamlodgingprogram",
            name="county",
            field=models.ForeignKey(
                blank=True, db_constraint=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="workstudy.region",
                verbose_name="所属县（市、区）",
            ),
        ),
        migrations.AlterField(
            model_name="examlodgingprogram",
            name="year",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="workstudy.reportingyear",
                verbose_name="年度",
            ),
        ),
        migrations.RunPython(county_of_operator, migrations.RunPython.noop),
    ]
