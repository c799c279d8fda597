"""Production smoke test: run with only requirements.txt installed (no test tools).

scripts/prod_check.sh calls it after `check --deploy`, with DJANGO_ENV=production, a scratch
database holding the demo county and REDIS_URL pointing at a scratch Redis database. It signs in
as the demo's staff user, opens the pages that read cached figures and downloads the summary PDF
(made by the PDF worker, run once),
then proves the figures went through Redis (keys written there) and that a second request is served
from them. Exits non-zero with a message on the first failure.
"""

import os
import sys
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from workstudy.models import ReportingYear, Role, User  # noqa: E402


def fail(message: str) -> None:
    print(f"prod-smoke: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    backend = settings.CACHES["default"]["BACKEND"]
    if "redis" not in backend.lower():
        fail(f"the cache is {backend}, not Redis: is REDIS_URL set?")
    import redis

    server = redis.Redis.from_url(os.environ["REDIS_URL"])
    server.flushdb()
    cache.set("prod-smoke", "ok", 30)
    if cache.get("prod-smoke") != "ok":
        fail("a value written to the Redis cache did not come back")

    staff = User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    if staff is None:
        fail("no staff user: load the demo first")
    year = ReportingYear.objects.order_by("-year").first().year
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    client.force_login(staff)
    # An open year's PDF is made by the PDF worker, never in the request: first a page that
    # says it is being made (202), then, once the worker has run, the PDF itself.
    pdf_url = f"/reports/{year}/summary.pdf"
    if not ReportingYear.objects.get(pk=year).is_locked:
        response = client.get(pdf_url, secure=True)
        if response.status_code != 202 or response["Content-Type"].startswith("application/pdf"):
            fail(f"GET {pdf_url} before the worker ran answered {response.status_code} {response['Content-Type']}")
        print(f"prod-smoke: GET {pdf_url} 202 (being made)")
        call_command("pdf_worker", "--once", stdout=StringIO())
    pages = ["/", "/labor-bases/", f"/reports/{year}/", pdf_url]
    for url in pages:
        response = client.get(url, secure=True, follow=True)
        if response.status_code != 200:
            fail(f"GET {url} answered {response.status_code}")
        if url.endswith(".pdf"):
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if not body.startswith(b"%PDF"):
                fail(f"GET {url} is not a PDF")
        print(f"prod-smoke: GET {url} 200")
    # The PDF's stylesheet and fonts have hashed names under ManifestStaticFilesStorage; the
    # PDF's fetcher must find them in STATIC_ROOT, or the summary prints in fallback fonts.
    from reports import figures, pdf

    fetcher = pdf.static_only_fetcher()
    pdf.html_to_pdf(pdf.summary_html_for_pdf(figures.compute(year)), fetcher=fetcher)
    if fetcher.refused:
        fail(f"the PDF's static files were refused: {fetcher.refused}")
    if not any(url.endswith(".css") for url in fetcher.served) or not any(url.endswith(".otf") for url in fetcher.served):
        fail(f"the PDF did not load its stylesheet and fonts: served {fetcher.served}")
    print(f"prod-smoke: the PDF loaded {len(fetcher.served)} static files (stylesheet and fonts)")
    keys = server.dbsize()
    if keys < 2:
        fail(f"the pages wrote {keys} key(s) to Redis; their figures are not cached there")
    response = client.get(f"/reports/{year}/", secure=True)
    if response.status_code != 200:
        fail(f"second GET /reports/{year}/ answered {response.status_code}")
    print(f"prod-smoke: OK, {keys} keys in Redis ({os.environ['REDIS_URL']})")


if __name__ == "__main__":
    main()
