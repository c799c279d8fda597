"""Measure the summary's output paths (never used by tests: timings depend on the machine).

Each PDF timing runs in a fresh ``python manage.py`` process (cold: Django set-up,
WeasyPrint import, fonts) so it is what a new gunicorn worker or the CLI pays:

* naive-fonttools: stock Noto CJK collections via fontconfig, subset by fontTools (what
  WeasyPrint does where libharfbuzz-subset is missing: the slowest path);
* naive: stock Noto CJK collections via fontconfig, subset by HarfBuzz if installed;
* fast-cold: the bundled GB2312 fonts, whole summary (figures + HTML + PDF);
* cached / stored: serving the PDF already made for the same data / the locked year's copy;
* html: the HTML page through the test client (warm process).
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client
from django.test.utils import CaptureQueriesContext

CHILD = r"""
import os, sys, time, json, logging
t0 = time.perf_counter()
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
logging.getLogger("weasyprint").setLevel(logging.ERROR)
mode, year = sys.argv[1], int(sys.argv[2])
from reports import figures, pdf
if mode == "naive-fonttools":
    import weasyprint.pdf.fonts as wf
    wf.harfbuzz_subset = None
summary = figures.compute(year)
html = pdf.summary_html_for_pdf(summary, naive_fonts=mode.startswith("naive"))
content = pdf.html_to_pdf(html)
print(json.dumps({"seconds": time.perf_counter() - t0, "bytes": len(content)}))
"""


def _percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


class Command(BaseCommand):
    help = "测量总结 PDF / HTML 的生成时间（朴素路径对比快速路径），输出表格并写入 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2024)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--skip-fonttools", action="store_true", help="跳过最慢的 fontTools 朴素路径")
        parser.add_argument("--json", default="var/bench/summary.json")

    def _child(self, mode, year):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings")}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, mode, str(year)], capture_output=True, text=True,
                             cwd=settings.BASE_DIR, env=env, check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        data = json.loads(out.stdout.strip().splitlines()[-1])
        data["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, data

    def handle(self, *args, year, runs, skip_fonttools, json: str, **options):
        import json as jsonlib

        from django.core.cache import cache

        from reports import pdf
        from workstudy.models import ReportingYear

        results = {}

        def record(name, seconds_list, note="", **extra):
            results[name] = {"median_s": statistics.median(seconds_list), "min_s": min(seconds_list),
                             "max_s": max(seconds_list), "runs": len(seconds_list), "note": note, **extra}

        modes = ["naive", "fast-cold"] if skip_fonttools else ["naive-fonttools", "naive", "fast-cold"]
        for mode in modes:
            walls, sizes, cpus = [], [], []
            for _ in range(1 if mode == "naive-fonttools" else runs):
                wall, data = self._child(mode, year)
                walls.append(wall)
                sizes.append(data["bytes"])
                cpus.append(data["cpu"])
            record(mode, walls, "新进程，含 Django 启动与 WeasyPrint 导入", bytes=sizes[-1],
                   cpu_s=statistics.median(cpus))

        # A full render in this (warm) process, for reference.
        from reports import figures

        times = []
        for _ in range(runs):
            start = time.perf_counter()
            pdf.render_summary(year, summary=figures.compute(year))
            times.append(time.perf_counter() - start)
        record("fast-warm", times, "已预热的进程中完整生成（计算 + HTML + PDF）")

        # Warm paths in this process.
        pdf.summary_pdf(year) if not ReportingYear.objects.get(pk=year).is_locked else None
        times = []
        for _ in range(max(runs, 5)):
            start = time.perf_counter()
            result = pdf.summary_pdf(year)
            times.append(time.perf_counter() - start)
        record("cached" if result.source == "cache" else result.source, times, f"同一数据第二次起（来源：{result.source}）")

        locked = ReportingYear.objects.filter(status=ReportingYear.Status.LOCKED).order_by("-year").first()
        if locked is not None:
            pdf.summary_pdf(locked.pk)
            times = []
            for _ in range(max(runs, 5)):
                start = time.perf_counter()
                result = pdf.summary_pdf(locked.pk)
                times.append(time.perf_counter() - start)
            record("stored", times, f"{locked.pk} 年已锁定，读取存档（来源：{result.source}）")

        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(role="staff", is_active=True).first()
        client = Client()
        client.force_login(user)
        client.get(f"/reports/{year}/")
        times = []
        from django.db import connection

        for _ in range(max(runs, 5)):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/reports/{year}/")
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        record("html", times, "HTML 页面，数据未变（缓存的数字）", queries=len(queries))
        times = []
        for _ in range(max(runs, 5)):
            cache.clear()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/reports/{year}/")
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        record("html-uncached", times, "HTML 页面，数据刚变（重新计算全部数字与图表）", queries=len(queries))
        cache.clear()

        load = os.getloadavg()
        results["_machine"] = {"cpus": os.cpu_count(), "loadavg": load}
        self.stdout.write(f"{'路径':<18}{'中位数(s)':>12}{'最小(s)':>10}{'最大(s)':>10}{'CPU(s)':>9}  说明")
        for name, row in results.items():
            if name.startswith("_"):
                continue
            cpu = f"{row['cpu_s']:>9.2f}" if row.get("cpu_s") is not None else f"{'':>9}"
            self.stdout.write(f"{name:<18}{row['median_s']:>12.3f}{row['min_s']:>10.3f}{row['max_s']:>10.3f}{cpu}  "
                              f"{row['note']}{' · ' + str(row.get('bytes')) + ' 字节' if row.get('bytes') else ''}"
                              f"{' · ' + str(row.get('queries')) + ' 条 SQL' if row.get('queries') else ''}")
        self.stdout.write(f"CPU {os.cpu_count()} 核，负载 {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        path = Path(settings.BASE_DIR) / json
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(jsonlib.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        self.stdout.write(f"JSON: {path}")
