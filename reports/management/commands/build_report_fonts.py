"""Regenerate the PDF fonts in static/reports/fonts/ from the system's Noto CJK."""

from django.core.management.base import BaseCommand

from reports import fonts


class Command(BaseCommand):
    help = "把系统 Noto CJK 字体子集化为 GB2312 字符集（总结 PDF 用）。"

    def handle(self, *args, **options):
        fonts.build(log=self.stdout.write)
