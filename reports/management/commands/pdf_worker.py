"""Make open years' PDFs outside the web workers (see :mod:`reports.render_jobs`).

Run one (or more: they never take the same job) beside gunicorn::

    python manage.py pdf_worker

It lowers its own CPU priority (``PORTAL_PDF_WORKER_IDLE``: Linux's idle scheduling policy;
``PORTAL_PDF_WORKER_NICE``, default 10), so on a machine it shares with gunicorn the pages are
served first. ``--once`` makes every PDF asked for and exits
(cron, tests). SIGTERM/SIGINT finish the PDF being made, then stop.
"""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from reports import priority, render_jobs


class Command(BaseCommand):
    help = "在网页进程之外生成未锁定年度的 PDF（年度总结、学校简表）。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="生成所有排队的 PDF 后退出")
        parser.add_argument("--poll", type=float, default=1.0, help="没有任务时每隔多少秒查看一次（默认 1）")

    def handle(self, *args, once, poll, **options):
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        # Batch work beside the web workers: pages first, PDFs with the CPU time left over.
        lowered = priority.lower(
            int(getattr(settings, "PORTAL_PDF_WORKER_NICE", 0)), bool(getattr(settings, "PORTAL_PDF_WORKER_IDLE", False))
        )
        # Load WeasyPrint and the fonts before the first job, not in it.
        from reports import weasy

        weasy.load()
        worker = render_jobs.worker_name()
        self.stdout.write(
            f"pdf_worker {worker}: {'once' if once else f'polling every {poll} s'}"
            + (f" (CPU priority: {', '.join(lowered)})" if lowered else "")
        )
        done = render_jobs.work(once=once, poll=poll, stop=lambda: bool(stopping), worker=worker)
        self.stdout.write(f"pdf_worker {worker}: {done} jobs run, stopping")
