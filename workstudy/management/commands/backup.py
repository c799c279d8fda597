"""``manage.py backup [--output FILE]``: write a restorable archive of the whole portal."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workstudy.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份全部数据（含修改历史、流程记录和已存档的 PDF）到一个 .tar.gz 文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o",
            help="备份文件路径（默认 var/backups/workstudy-<时间>.tar.gz）",
        )

    def handle(self, *args, output=None, **options):
        if not output:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.BASE_DIR) / "var" / "backups" / f"workstudy-{stamp}.tar.gz"
        try:
            manifest = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        sidecar = Path(f"{output}.sha256")
        sidecar.write_text(f"{manifest['archive_sha256']}  {Path(output).name}\n", encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份 {manifest['total_rows']} 行数据、{len(manifest['files'])} 个附件到 {output}"
            )
        )
        if manifest["missing_files"]:
            self.stderr.write(f"注意：{len(manifest['missing_files'])} 个附件在存储中找不到，未能备份。")
        self.stdout.write(f"SHA-256: {manifest['archive_sha256']}")
