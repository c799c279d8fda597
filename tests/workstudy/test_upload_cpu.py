"""Every upload within the size limit is checked in under 5 s of server CPU, whatever it
declares (an unbounded reader takes minutes; the worst file here takes about 2–4 s, depending
on the machine). The worst files are built by tests/workstudy/xlsx_craft.py;
``pytest -s tests/workstudy/test_upload_cpu.py`` prints each file's CPU time."""

import time

import pytest
from django.conf import settings

from workstudy import excel

from . import xlsx_craft

CPU_LIMIT = 5.0
NAMES = ["huge_dimension", "million_rows_declared", "million_empty_row_elements", "data_after_empty_rows",
         "empty_cells_everywhere", "millions_of_elements", "wide_header", "too_many_data_rows",
         "huge_shared_strings", "ten_megabyte_cell"]


@pytest.mark.parametrize("name", NAMES)
def test_worst_file_is_checked_in_bounded_time(name, director, submission_a, submission_b):
    data = xlsx_craft.worst_files()[name]
    assert len(data) <= settings.EXCEL_MAX_UPLOAD_BYTES, (name, len(data))
    registration = excel.get_registration("school_counts")
    start = time.process_time()
    report = excel.run_import(registration, user=director, year=submission_a.year, data=data, dry_run=True)
    spent = time.process_time() - start
    print(f"\n{name}: {len(data):,} bytes, {spent:.2f} s CPU, {len(report.issues)} issues: "
          f"{[str(i)[:120] for i in report.issues[:3]]}")
    assert spent < CPU_LIMIT, f"{name}: {spent:.2f} s CPU"
