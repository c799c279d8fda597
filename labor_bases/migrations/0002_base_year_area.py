"""A labour base's declared area becomes per (base, year): BaseYearArea.

Before, ``LaborBase.declared_total_mu`` had no year, so a principal changing it in 2024
changed LB-03 and the school sheet of locked 2023. Existing values are copied into every
year the base has data for (plots, production lines, accounts or practice activities) and
into every open year: the locked years keep comparing their plots against exactly the
value they showed before the change, and the open years start with it for entry.
Reversing copies the newest year's value back onto the base.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def copy_declared_areas(apps, schema_editor):
    LaborBase = apps.get_model("labor_bases", "LaborBase")
    BaseYearArea = apps.get_model("labor_bases", "BaseYearArea")
    ReportingYear = apps.get_model("workstudy", "ReportingYear")
    open_years = list(ReportingYear.objects.filter(status="open").values_list("year", flat=True))
    related = [
        apps.get_model("labor_bases", name).objects.values_list("base_id", "year_id").distinct()
        for name in ("LandParcel", "ProductionLine", "BaseYearFinance", "StudentPracticeActivity")
    ]
    years_of: dict[int, set[int]] = {}
    for rows in related:
        for base_id, year_id in rows:
            if base_id is not None:
                years_of.setdefault(base_id, set()).add(year_id)
    rows = []
    for base_id, declared in LaborBase.objects.filter(declared_total_mu__isnull=False).values_list(
        "id", "declared_total_mu"
    ):
        for year_id in sorted(years_of.get(base_id, set()) | set(open_years)):
            rows.append(BaseYearArea(base_id=base_id, year_id=year_id, declared_total_mu=declared))
    BaseYearArea.objects.bulk_create(rows, batch_size=1000)


def restore_declared_areas(apps, schema_editor):
    LaborBase = apps.get_model("labor_bases", "LaborBase")
    BaseYearArea = apps.get_model("labor_bases", "BaseYearArea")
    for row in BaseYearArea.objects.order_by("base_id", "year_id"):
        LaborBase.objects.filter(pk=row.base_id).update(declared_total_mu=row.declared_total_mu)


class Migration(migrations.Migration):

    dependencies = [
        ('labor_bases', '0001_initial'),
        ('workstudy', '0002_importupload'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalBaseYearArea',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='修改时间')),
                ('declared_total_mu', models.DecimalField(decimal_places=2, help_text='基地本年度登记的总面积。各地块面积之和应与它一致，不一致时审核页会提醒。', max_digits=10, verbose_name='申报总面积')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('base', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='labor_bases.laborbase', verbose_name='基地')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('year', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='workstudy.reportingyear', verbose_name='年度')),
            ],
            options={
                'verbose_name': 'historical 基地年度申报面积',
                'verbose_name_plural': 'historical 基地年度申报面积',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='BaseYearArea',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='修改时间')),
                ('declared_total_mu', models.DecimalField(decimal_places=2, help_text='基地本年度登记的总面积。各地块面积之和应与它一致，不一致时审核页会提醒。', max_digits=10, verbose_name='申报总面积')),
                ('base', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='year_areas', to='labor_bases.laborbase', verbose_name='基地')),
                ('year', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workstudy.reportingyear', verbose_name='年度')),
            ],
            options={
                'verbose_name': '基地年度申报面积',
                'verbose_name_plural': '基地年度申报面积',
                'ordering': ['base__school__code', 'base__name', '-year_id'],
                'constraints': [models.UniqueConstraint(fields=('base', 'year'), name='labor_area_one_per_base_year')],
            },
        ),
            migrations.RunPython(copy_declared_areas, restore_declared_areas),
        migrations.RemoveField(
            model_name='historicallaborbase',
            name='declared_total_mu',
        ),
        migrations.RemoveField(
            model_name='laborbase',
            name='declared_total_mu',
        ),
    ]
