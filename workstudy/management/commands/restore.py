"""``manage.py restore FILE [--force]``: load an archive made by ``backup``."""

from django.core.management.base import BaseCommand, CommandError

from workstudy.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "从 backup 生成的备份文件恢复全部数据。目标数据库须已 migrate 且为空（或加 --force 清空后恢复）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="backup 命令生成的 .tar.gz 文件")
        parser.add_argument(
            "--force", action="store_true",
            help="目标数据库已有数据时，先清空再恢复（现有数据将全部丢失）",
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            result = restore_backup(archive, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(result.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 {total} 行数据、{result.files} 个附件（备份时间 {result.manifest['created_at']}），"
                "各表行数与备份清单一致。"
            )
        )
