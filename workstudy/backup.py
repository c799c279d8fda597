"""Backup and restore of the whole portal: every row of every app (history tables and
workflow records included) plus the stored files rows point to (e.g. locked-year PDFs).

An archive is a ``.tar.gz`` holding

* ``data.json`` - ``dumpdata`` of every model except those ``migrate`` recreates
  (content types, permissions) and sessions, with natural keys for content types and
  permissions so it loads into any freshly migrated database;
* ``media/<name>`` - each file a ``FileField`` refers to;
* ``manifest.json`` - format version, when and by which database it was made, the
  applied migrations, the row count of every model, and the SHA-256 of ``data.json``
  and of every file.

``restore`` verifies every checksum before touching the database, refuses a database
that already holds data (unless ``force``, which empties it first), loads everything in
one transaction and then checks that every model has exactly the archived row count.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import Deserializer  # noqa: F401  (this module is a serializer format)
from django.core.serializers.json import Serializer as _JSONSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "workstudy-backup"
FORMAT_VERSION = 1
# Recreated by ``migrate`` (content types, permissions) or worthless after a restore (sessions,
# and the data versions: a restore's writes raise them, so cached figures are not reused).
EXCLUDED_MODELS = ("contenttypes.contenttype", "auth.permission", "sessions.session", "dataversions.dataversion")
DATA_MEMBER = "data.json"
# Django's JSON serializer cuts datetimes to milliseconds; this format keeps microseconds
# so a restore gives back exactly what was saved (history dates, updated_at...).
SERIAL_FORMAT = "workstudy_exact_json"
MANIFEST_MEMBER = "manifest.json"
MEDIA_PREFIX = "media/"


class Serializer(_JSONSerializer):
    """``dumpdata`` JSON with full-precision datetimes and times (same structure)."""

    def _value_from_field(self, obj, field):
        value = field.value_from_object(obj)
        if isinstance(value, (datetime.datetime, datetime.time)):
            return value.isoformat()
        return super()._value_from_field(obj, field)


def _register_format() -> None:
    if SERIAL_FORMAT not in serializers.get_serializer_formats():
        serializers.register_serializer(SERIAL_FORMAT, __name__)


class BackupError(Exception):
    """A backup could not be made or restored; the message says why, for the operator."""


@dataclass
class RestoreResult:
    counts: dict[str, int]
    files: int
    manifest: dict = field(default_factory=dict)


def _sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model whose rows go into a backup, in a stable order."""
    result = []
    for model in apps.get_models(include_auto_created=False):
        if model._meta.label_lower in EXCLUDED_MODELS or model._meta.proxy or not model._meta.managed:
            continue
        result.append(model)
    return sorted(result, key=lambda m: m._meta.label_lower)


def row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.using(using).count() for m in backed_up_models()}


def _file_fields(model) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _stored_files(using: str) -> list[tuple[models.FileField, str]]:
    """(field, name) of every stored file a row refers to."""
    found: dict[str, models.FileField] = {}
    for model in backed_up_models():
        for file_field in _file_fields(model):
            names = (
                model._base_manager.using(using)
                .exclude(**{file_field.attname: ""})
                .exclude(**{f"{file_field.attname}__isnull": True})
                .values_list(file_field.attname, flat=True)
            )
            for name in names.iterator():
                found.setdefault(name, file_field)
    return sorted(((f, name) for name, f in found.items()), key=lambda item: item[1])


def _applied_migrations(using: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _add_bytes(archive: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(payload))


def create_backup(output: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write an archive of the whole database (and referenced files) to ``output``.

    The rows are read in one transaction (REPEATABLE READ on PostgreSQL) so the copy is
    consistent even while people keep working. Returns the manifest.
    """
    _register_format()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    labels = [m._meta.label for m in backed_up_models()]
    with tempfile.TemporaryDirectory(prefix="workstudy-backup-") as tmp:
        data_path = Path(tmp) / DATA_MEMBER
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            counts = row_counts(using)
            call_command(
                "dumpdata", *labels, database=using, natural_foreign=True, use_base_manager=True,
                format=SERIAL_FORMAT, output=str(data_path), verbosity=0,
            )
            files = _stored_files(using)
            migrations = _applied_migrations(using)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": migrations,
            "counts": counts,
            "total_rows": sum(counts.values()),
            "data_sha256": _sha256_file(data_path),
            "data_bytes": data_path.stat().st_size,
            "files": {},
            "missing_files": [],
        }
        partial = output.with_name(output.name + ".partial")
        # The archive holds password hashes: readable by the owner only.
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as raw, tarfile.open(
            fileobj=raw, mode="w:gz"
        ) as archive:
            archive.add(data_path, arcname=DATA_MEMBER)
            for file_field, name in files:
                storage = file_field.storage
                if not storage.exists(name):
                    manifest["missing_files"].append(name)
                    continue
                with storage.open(name, "rb") as handle:
                    payload = handle.read()
                manifest["files"][name] = hashlib.sha256(payload).hexdigest()
                manifest.setdefault("file_fields", {})[name] = f"{file_field.model._meta.label_lower}.{file_field.name}"
                _add_bytes(archive, MEDIA_PREFIX + name, payload)
            _add_bytes(
                archive, MANIFEST_MEMBER, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            )
        os.replace(partial, output)
    manifest["archive_sha256"] = _sha256_file(output)
    return manifest


def _safe_member_name(name: str) -> bool:
    return not (name.startswith("/") or ".." in Path(name).parts)


def read_manifest(archive_path: Path | str) -> dict:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST_MEMBER)
            if member is None:
                raise KeyError(MANIFEST_MEMBER)
            manifest = json.loads(member.read().decode("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"备份文件不存在：{archive_path}") from None
    except (tarfile.TarError, KeyError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"不是有效的备份文件（{exc}）。") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("不是本平台的备份文件，或备份格式版本不兼容。")
    return manifest


def verify_archive(archive_path: Path | str, workdir: Path) -> tuple[dict, Path, dict[str, Path]]:
    """Extract into ``workdir`` and check every checksum; returns (manifest, data, files)."""
    manifest = read_manifest(archive_path)
    files: dict[str, Path] = {}
    data_path = None
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile() or not _safe_member_name(member.name):
                raise BackupError(f"备份文件含有不安全的条目：{member.name}")
            if member.name == MANIFEST_MEMBER:
                continue
            target = workdir / f"m{len(files)}"
            extracted = archive.extractfile(member)
            with open(target, "wb") as handle:
                for chunk in iter(lambda: extracted.read(1 << 20), b""):  # noqa: B023
                    handle.write(chunk)
            if member.name == DATA_MEMBER:
                data_path = workdir / f"data.{SERIAL_FORMAT}"  # loaddata reads the format from the name
                os.replace(target, data_path)
            elif member.name.startswith(MEDIA_PREFIX):
                files[member.name[len(MEDIA_PREFIX):]] = target
    if data_path is None:
        raise BackupError("备份文件缺少数据部分（data.json）。")
    if _sha256_file(data_path) != manifest["data_sha256"]:
        raise BackupError("备份数据的 SHA-256 校验失败：文件已损坏或被改动，未做任何恢复。")
    if set(files) != set(manifest.get("files", {})):
        raise BackupError("备份中的附件与清单不一致，未做任何恢复。")
    for name, path in files.items():
        if _sha256_file(path) != manifest["files"][name]:
            raise BackupError(f"附件 {name} 的 SHA-256 校验失败，未做任何恢复。")
    return manifest, data_path, files


def _storage_for(field_label: str | None):
    """The storage of the FileField a file belonged to (default storage if unknown)."""
    from django.core.files.storage import default_storage

    if field_label:
        model_label, _dot, field_name = field_label.rpartition(".")
        try:
            return apps.get_model(model_label)._meta.get_field(field_name).storage
        except (LookupError, ValueError, AttributeError):
            pass
    return default_storage


def _analyze(using: str) -> None:
    """PostgreSQL: statistics of the tables just filled, so the planner does not go on taking
    them for empty until autovacuum comes round (or forever, where it is off)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def restore_backup(archive_path: Path | str, *, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Load an archive into a migrated database; see the module docstring."""
    _register_format()
    with tempfile.TemporaryDirectory(prefix="workstudy-restore-") as tmp:
        manifest, data_path, files = verify_archive(archive_path, Path(tmp))

        applied = {tuple(item) for item in _applied_migrations(using)}
        missing = sorted({tuple(item) for item in manifest["migrations"]} - applied)
        if missing:
            shown = "、".join(f"{app}.{name}" for app, name in missing[:5])
            raise BackupError(f"目标数据库缺少备份时已有的迁移（{shown}…），请先运行 migrate。")
        unknown = sorted(set(manifest["counts"]) - {m._meta.label_lower for m in backed_up_models()})
        if unknown:
            raise BackupError(f"备份含有本版本没有的数据表：{', '.join(unknown)}。")

        existing = {label: n for label, n in row_counts(using).items() if n}
        if existing and not force:
            shown = "、".join(f"{label}（{n} 行）" for label, n in sorted(existing.items())[:5])
            raise BackupError(f"目标数据库不是空的：{shown}。恢复会覆盖现有数据；确需如此请加 --force。")

        with transaction.atomic(using=using):
            if existing:
                call_command("flush", database=using, interactive=False, verbosity=0)
            if manifest["total_rows"]:
                call_command("loaddata", str(data_path), database=using, verbosity=0)
            counts = row_counts(using)
            wrong = {
                label: (expected, counts.get(label, 0))
                for label, expected in manifest["counts"].items()
                if counts.get(label, 0) != expected
            }
            if wrong:
                raise BackupError(f"恢复后的行数与备份清单不一致：{wrong}；已回滚。")
        _analyze(using)

        restored_files = 0
        for name, path in sorted(files.items()):
            storage = _storage_for(manifest.get("file_fields", {}).get(name))
            if storage.exists(name):
                storage.delete(name)
            with open(path, "rb") as handle:
                saved = storage.save(name, handle)
            if saved != name:
                raise BackupError(f"附件 {name} 无法按原名恢复（存为 {saved}）。")
            restored_files += 1
    return RestoreResult(counts=counts, files=restored_files, manifest=manifest)
