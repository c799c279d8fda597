"""Build the annual summary from the command line (same code path as the web page)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import figures, pdf
from workstudy.models import ReportingYear


class Command(BaseCommand):
    help = "生成年度勤工俭学工作总结（PDF 或 HTML）。"
    # The system checks are a noticeable part of a cold run; ``manage.py check`` (and CI) runs them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=("pdf", "html"), default="pdf")
        parser.add_argument("--output", required=True, help="输出文件路径")

    def handle(self, *args, year, format, output, **options):
        if not ReportingYear.objects.filter(pk=year).exists():
            raise CommandError(f"统计年度 {year} 不存在。")
        target = Path(output)
        if format == "pdf":
            result = pdf.summary_pdf(year)
            target.write_bytes(result.content)
            Path(f"{target}.sha256").write_text(f"{result.sha256}  {target.name}\n", encoding="utf-8")
            self.stdout.write(f"{target}: {len(result.content)} 字节，SHA-256 {result.sha256}（{result.source}）")
        else:
            summary = figures.compute(year)
            target.write_text(pdf.summary_html_for_pdf(summary), encoding="utf-8")
            self.stdout.write(f"{target}: HTML，数据指纹 {summary.fingerprint()}")
        summary_gaps = figures.compute_cached(year).gaps if format == "pdf" else summary.gaps
        for gap in summary_gaps:
            self.stderr.write(f"待补 {gap.blank or '-'} {gap.label}：{gap.reason}")
