"""Excel kinds are registered by dotted path: starting Django imports none of the workbook
libraries (a summary PDF or a page never pays for them), and every kind still resolves."""

import json
import subprocess
import sys

from django.conf import settings

from workstudy import excel, excel_registry

HEAVY = ("openpyxl", "tablib", "import_export.resources", "workstudy.excel")


def test_start_up_imports_no_workbook_library():
    code = ("import django, json, sys; django.setup(); "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                          env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_every_kind_resolves_to_a_portal_resource():
    keys = {r.key for r in excel.registrations()}
    assert {"labor_plots", "labor_production", "insurance_coverage", "insurance_claims", "enterprise_figures",
            "logistics_sales", "logistics_school_services", "logistics_exam_sites", "school_counts"} <= keys
    for registration in excel_registry.registrations():
        assert isinstance(registration.resource, str)
        assert issubclass(registration.resource_class, excel.PortalResource), registration.key
    assert excel.get_registration("insurance_claims").import_roles == ()
