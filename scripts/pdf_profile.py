"""Time the summary PDF from a cold process, the portal's way and the naive way, in one run.

    .venv/bin/python scripts/pdf_profile.py --year 2024 -n 7
    .venv/bin/python scripts/pdf_profile.py --year 2024 -n 7 \\
        --db demo=postgres://postgres@127.0.0.1:5432/ws_demo --db county=postgres://.../ws_bench
    .venv/bin/python scripts/pdf_profile.py --year 2024 --profile portal   # cProfile of one render
    .venv/bin/python scripts/pdf_profile.py --year 2024 --save /tmp/pdfs   # the PDFs and their text

Portal: ``manage.py build_summary --year Y --format pdf`` in a new process (what the benchmark
calls "summary PDF, cold"), on the bundled fonts. Naive: a new process that sets Django up,
computes the same figures and renders the same HTML on the stock Noto CJK fonts (the stylesheet
without its ``@font-face`` rules, ``reports.pdf.naive_css``) with WeasyPrint as installed
(``import weasyprint``; ``bench.naive_pdf``, the benchmark's naive child too). Portal-stock:
the portal's process on the stock fonts (``reports.pdf.html_to_pdf``: WeasyPrint imported
through ``reports.weasy.load``, C declarations prebuilt, fontTools deferred), which isolates
what the fonts cost. All three hand WeasyPrint
the same document the same way (``reports.pdf.weasyprint_html``: the charts as SVG images served
from memory), so any change to the HTML, the stylesheet or the charts reaches all three. What
differs: the fonts; and, for the plain naive, the process around WeasyPrint: it imports
WeasyPrint as installed and leaves the garbage collector as it is, where
``reports.pdf.html_to_pdf`` (the portal's and portal-stock's) uses ``reports.weasy.load`` and
freezes the heap before the first render (``reports.pdf.freeze_heap_once``).

The kinds alternate, each first in turn, so a drifting machine slows all alike; the medians of
wall time and of the child's CPU time (user + system; steadier on a busy machine) and their
ratios are printed. ``REDIS_URL`` is removed from the children's environment so none can be
served a cached PDF (the script checks the portal's was rendered).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent


def _env(database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env["PYTHONUNBUFFERED"] = "1"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system) of the child, its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, cwd=BASE, env=env, timeout=1800)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args[1:])} failed:\n{out.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout


def portal(year: int, target: Path, env: dict) -> tuple[float, float]:
    wall, cpu, stdout = _run(
        [sys.executable, "manage.py", "build_summary", "--year", str(year), "--format", "pdf", "--output", str(target)], env
    )
    if "（rendered）" not in stdout:
        raise SystemExit(f"the portal's PDF was not rendered (cached or stored?): {stdout.strip()}")
    return wall, cpu


def naive(year: int, target: Path, env: dict, *, plain: bool = True) -> tuple[float, float]:
    args = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "naive" if plain else "portal-stock",
        "--year",
        str(year),
        "--output",
        str(target),
    ]
    wall, cpu, _stdout = _run(args, env)
    return wall, cpu


def _setup():
    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def child_naive(year: int, output: str, *, plain: bool) -> None:
    """A cold process: figures -> the same HTML on the stock fonts -> WeasyPrint.

    ``plain``: WeasyPrint as installed (``bench.naive_pdf``, as the benchmark's naive child);
    otherwise the portal's process (``reports.pdf.html_to_pdf``) on the stock fonts."""
    _setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from reports import figures, pdf

    summary = figures.compute(year)
    if plain:
        from bench.naive_pdf import naive_summary_pdf

        Path(output).write_bytes(naive_summary_pdf(summary))
    else:
        Path(output).write_bytes(pdf.html_to_pdf(pdf.summary_html_for_pdf(summary, naive_fonts=True)))


def profile(year: int, which: str, top: int, dump: str | None = None) -> None:
    """cProfile of one render in this process (figures and HTML first, outside the profile)."""
    import cProfile
    import pstats

    start = time.perf_counter()
    _setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from reports import figures, pdf, weasy

    setup = time.perf_counter() - start
    start = time.perf_counter()
    summary = figures.compute(year)
    computed = time.perf_counter() - start
    start = time.perf_counter()
    html = pdf.summary_html_for_pdf(summary, naive_fonts=which == "naive")
    rendered = time.perf_counter() - start
    start = time.perf_counter()
    weasy.load()
    imported = time.perf_counter() - start
    if which == "portal":
        pdf.freeze_heap_once()  # as html_to_pdf does
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    document = pdf.weasyprint_html(html, pdf.static_only_fetcher())
    laid_out = document.render()
    parsed_and_laid = time.perf_counter() - start
    content = laid_out.write_pdf()
    profiler.disable()
    total = time.perf_counter() - start
    print(
        f"{which}: django.setup {setup:.2f} s, figures {computed:.2f} s, HTML {rendered:.2f} s, "
        f"import WeasyPrint {imported:.2f} s, style+layout {parsed_and_laid:.2f} s, "
        f"draw+write {total - parsed_and_laid:.2f} s; {len(laid_out.pages)} pages, {len(content):,} bytes, "
        f"HTML {len(html):,} chars"
    )
    if dump:
        profiler.dump_stats(dump)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def _text(pdf_path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("-n", type=int, default=5, help="cold builds of each kind per database")
    parser.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="LABEL=URL",
        help="database(s) to measure (default: DATABASE_URL as set, or SQLite)",
    )
    parser.add_argument("--profile", choices=("portal", "naive"), help="cProfile one render instead of timing")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", help="with --profile: also write the cProfile data to this file")
    parser.add_argument("--save", help="directory for the last PDFs of each kind and their pdftotext text")
    parser.add_argument("--child", choices=("naive", "portal-stock"), help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        return child_naive(options.year, options.output, plain=options.child == "naive")
    if options.profile:
        return profile(options.year, options.profile, options.top, options.dump)

    databases = [tuple(item.split("=", 1)) for item in options.db] or [("default", os.environ.get("DATABASE_URL"))]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, year {options.year}, "
        f"{options.n} cold builds of each kind, interleaved; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    kinds = ("portal", "naive", "portal-stock")
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in databases:
            env = _env(url)
            paths = {kind: Path(tmp) / f"{label}-{kind}.pdf" for kind in kinds}
            runs = {kind: [] for kind in kinds}
            for round_no in range(options.n):
                order = kinds[round_no % 3 :] + kinds[: round_no % 3]  # each kind first in turn
                for kind in order:
                    if kind == "portal":
                        runs[kind].append(portal(options.year, paths[kind], env))
                    else:
                        runs[kind].append(naive(options.year, paths[kind], env, plain=kind == "naive"))
                print(
                    f"  {label} round {round_no + 1}: "
                    + ", ".join(f"{kind} {runs[kind][-1][0]:.2f} s (CPU {runs[kind][-1][1]:.2f} s)" for kind in kinds),
                    flush=True,
                )
            wall = {kind: statistics.median(r[0] for r in runs[kind]) for kind in kinds}
            cpu = {kind: statistics.median(r[1] for r in runs[kind]) for kind in kinds}
            pages = _text(paths["portal"]).count("\f")
            print(f"{label}, {pages} pages, medians of {options.n}:")
            for kind, what in (
                ("portal", "portal: manage.py build_summary, cold, bundled fonts"),
                ("naive", "naive: same HTML, stock Noto CJK, plain WeasyPrint"),
                ("portal-stock", "portal's process on stock Noto CJK (html_to_pdf)"),
            ):
                print(
                    f"  {what:62s} wall {wall[kind]:6.2f} s  CPU {cpu[kind]:6.2f} s  {paths[kind].stat().st_size / 1e3:5.0f} kB"
                )
            for kind in kinds[1:]:
                print(f"  ratio portal / {kind}: wall {wall['portal'] / wall[kind]:.2f}, CPU {cpu['portal'] / cpu[kind]:.2f}")
            if options.save:
                target = Path(options.save)
                target.mkdir(parents=True, exist_ok=True)
                for path in paths.values():
                    (target / path.name).write_bytes(path.read_bytes())
                    (target / path.with_suffix(".txt").name).write_text(_text(path), encoding="utf-8")


if __name__ == "__main__":
    main()
