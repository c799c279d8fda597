"""Backup and restore: an archive made by ``manage.py backup`` gives back identical data."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from workstudy import backup, services
from workstudy.models import Region, Role, School, Submission, WorkflowEvent

ROOT = Path(__file__).resolve().parents[2]


def _snapshot() -> dict[str, list[dict]]:
    """Every row of every backed-up model, as Python values (so formats do not matter)."""
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values())
        for model in backup.backed_up_models()
    }


def _build_data():
    """A little county: schools, two years, users, counts edited, workflow run, a stored PDF."""
    y2023, y2024 = ReportingYearFactory(year=2023), ReportingYearFactory(year=2024)
    director = UserFactory(username="bk_director", role=Role.STAFF, is_director=True, first_name="王主任")
    schools = [SchoolFactory(code=f"BK{i:03d}", name=f"备份学校{i}") for i in range(5)]
    principals = [
        UserFactory(username=f"bk_principal{i}", role=Role.PRINCIPAL, school=s, is_staff=False)
        for i, s in enumerate(schools)
    ]
    for year in (y2023, y2024):
        for i, school in enumerate(schools):
            SubmissionFactory(school=school, year=year, staff_count=20 + i, student_count=300 + 10 * i,
                              poor_student_count=5 + i)
    first = Submission.objects.get(school=schools[0], year=y2024)
    first.staff_count = 77
    first.explanation = "新建教学楼，学生增加。"
    first.save()
    services.submission_submit(user=principals[0], submission=first)
    services.submission_return(user=director, submission=first, reason="请核对贫困生人数")
    services.submission_submit(user=principals[0], submission=Submission.objects.get(pk=first.pk))
    services.submission_approve(user=director, submission=Submission.objects.get(pk=first.pk))
    ArchivedDocument = apps.get_model("reports", "ArchivedDocument")
    stored = ArchivedDocument(year=y2023, kind="summary", sha256="0" * 64, size=17, data_version=3,
                              fingerprint="f" * 64, locked_at=timezone.now(), generated_at=timezone.now())
    stored.pdf.save("backup-test-2023.pdf", ContentFile(b"%PDF-1.7 backup test\n%%EOF"), save=False)
    stored.save()
    return {"director": director, "first": first, "stored": stored}


@pytest.fixture
def county(transactional_db):
    return _build_data()


def _empty_database():
    call_command("flush", interactive=False, verbosity=0)
    assert sum(backup.row_counts().values()) == 0


@pytest.mark.django_db(transaction=True)
def test_backup_flush_restore_gives_identical_data(county, tmp_path):
    before = _snapshot()
    counts = backup.row_counts()
    assert counts["workstudy.historicalsubmission"] > counts["workstudy.submission"]
    assert counts["workstudy.workflowevent"] == 4

    archive = tmp_path / "county.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)
    assert archive.exists() and "SHA-256" in out.getvalue()
    assert (archive.stat().st_mode & 0o077) == 0, "backups hold password hashes: owner-only"
    sidecar = Path(f"{archive}.sha256").read_text().split()[0]
    assert sidecar == backup._sha256_file(archive)

    manifest = backup.read_manifest(archive)
    assert manifest["counts"] == counts
    assert manifest["total_rows"] == sum(counts.values())
    assert len(manifest["data_sha256"]) == 64

    stored = county["stored"]
    if stored is not None:
        pdf_name = stored.pdf.name
        assert manifest["files"] and pdf_name in manifest["files"]

    _empty_database()
    if stored is not None:
        stored.pdf.storage.delete(pdf_name)
        assert not stored.pdf.storage.exists(pdf_name)

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "各表行数与备份清单一致" in out.getvalue()

    assert backup.row_counts() == counts
    assert _snapshot() == before
    if connection.vendor == "postgresql":  # the planner knows the tables are no longer empty
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [School._meta.db_table])
            assert cursor.fetchone()[0] == counts["workstudy.school"]
    first = Submission.objects.get(pk=county["first"].pk)
    assert (first.staff_count, first.status, first.explanation) == (77, "approved", "新建教学楼，学生增加。")
    assert first.version == county["first"].version + 4  # the edit + submit/return/submit/approve
    assert [e.action for e in WorkflowEvent.objects.order_by("id")] == ["submit", "return", "submit", "approve"]
    assert WorkflowEvent.objects.get(action="return").reason == "请核对贫困生人数"
    assert first.history.count() == 6
    assert first.history.first().history_user is None or first.history.first().history_user.username
    director = apps.get_model("workstudy", "User").objects.get(username="bk_director")
    assert director.check_password("test-pass-123"), "password hashes survive, people can log in again"
    if stored is not None:
        with stored.pdf.storage.open(pdf_name, "rb") as handle:
            assert handle.read() == b"%PDF-1.7 backup test\n%%EOF"
        stored.pdf.storage.delete(pdf_name)

    # The restored database works: new rows get fresh ids (sequences were reset).
    new_school = School.objects.create(code="BK999", name="恢复后新建学校", kind="junior", county=Region.default_county())
    assert new_school.pk > max(row["id"] for row in before["workstudy.school"])


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_database_unless_forced(county, tmp_path):
    archive = tmp_path / "county.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    before = _snapshot()
    School.objects.create(code="LATE01", name="备份之后新建的学校", kind="junior", county=Region.default_county())

    with pytest.raises(CommandError, match="目标数据库不是空的.*--force"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert School.objects.filter(code="LATE01").exists(), "a refused restore changes nothing"

    call_command("restore", str(archive), force=True, stdout=io.StringIO())
    assert not School.objects.filter(code="LATE01").exists()
    assert _snapshot() == before
    if county["stored"] is not None:
        county["stored"].pdf.storage.delete(county["stored"].pdf.name)


def _rewrite_member(archive: Path, target: Path, name: str, transform) -> None:
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            payload = src.extractfile(member).read()
            if member.name == name:
                payload = transform(payload)
                member.size = len(payload)
            dst.addfile(member, io.BytesIO(payload))


@pytest.mark.django_db(transaction=True)
def test_a_tampered_archive_is_refused_before_anything_changes(county, tmp_path):
    archive = tmp_path / "county.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    tampered = tmp_path / "tampered.tar.gz"
    _rewrite_member(archive, tampered, "data.json", lambda b: b.replace("请核对贫困生人数".encode(), "已篡改".encode()))
    _empty_database()
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(tampered), stdout=io.StringIO())
    assert sum(backup.row_counts().values()) == 0
    if county["stored"] is not None:
        county["stored"].pdf.storage.delete(county["stored"].pdf.name)


@pytest.mark.django_db(transaction=True)
def test_restore_rejects_garbage_and_unsafe_archives(tmp_path):
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(gzip.compress(b"not a tar at all"))
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        call_command("restore", str(garbage), stdout=io.StringIO())
    with pytest.raises(CommandError, match="备份文件不存在"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), stdout=io.StringIO())

    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        payload = json.dumps({"format": "something-else"}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    with pytest.raises(CommandError, match="不是本平台的备份文件"):
        call_command("restore", str(foreign), stdout=io.StringIO())

    _build_data()
    good = tmp_path / "good.tar.gz"
    call_command("backup", output=str(good), stdout=io.StringIO())
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(good, "r:gz") as src, tarfile.open(evil, "w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, io.BytesIO(src.extractfile(member).read()))
        info = tarfile.TarInfo("media/../../escape.txt")
        info.size = 3
        dst.addfile(info, io.BytesIO(b"bad"))
    _empty_database()
    with pytest.raises(CommandError, match="不安全"):
        call_command("restore", str(evil), stdout=io.StringIO())
    assert sum(backup.row_counts().values()) == 0
    for name in backup.read_manifest(good)["files"]:
        from django.core.files.storage import default_storage

        default_storage.delete(name)


@pytest.mark.django_db(transaction=True)
def test_backup_of_an_empty_database_restores_to_empty(tmp_path):
    archive = tmp_path / "empty.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    assert backup.read_manifest(archive)["total_rows"] == 0
    call_command("restore", str(archive), stdout=io.StringIO())
    assert sum(backup.row_counts().values()) == 0


def test_restore_command_line_reports_a_bad_file_and_exits_non_zero(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"\x1f\x8b garbage")
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings",
             "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"},
    )
    assert result.returncode != 0
    assert "不是有效的备份文件" in result.stderr
    help_text = subprocess.run(
        [sys.executable, "manage.py", "backup", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert "--output" in help_text.stdout
