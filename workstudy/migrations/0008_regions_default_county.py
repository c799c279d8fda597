"""The deployment's one county becomes data: 江西省 → 鹰潭市 → PORTAL_COUNTY_NAME. Every
existing school belongs to it, and every bureau user (staff, auditor) belongs to it."""

from django.conf import settings
from django.db import migrations


def default_county(apps):
    Region = apps.get_model("workstudy", "Region")
    parent = None
    for level, name in enumerate(("江西省", "鹰潭市", settings.PORTAL_COUNTY_NAME), start=1):
        region = Region.objects.filter(parent=parent, name=name).first()
        if region is None:
            region = Region.objects.create(parent=parent, name=name, level=level)
            region.path = f"{parent.path if parent else ''}{region.pk:05d}/"
            region.save(update_fields=["path"])
        parent = region
    return parent


def forwards(apps, schema_editor):
    county = default_county(apps)
    apps.get_model("workstudy", "School").objects.filter(county__isnull=True).update(county=county)
    apps.get_model("workstudy", "User").objects.exclude(role="principal").filter(region__isnull=True).update(region=county)


class Migration(migrations.Migration):
    dependencies = [("workstudy", "0007_regions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
