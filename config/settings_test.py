"""Fast settings for the test suite (pytest uses this module)."""

import os

os.environ.setdefault("DJANGO_ENV", "test")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False  # switched on in the tests that exercise throttling
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PORTAL_KEPT_IN_PROCESS_MB = 0  # tests/workstudy/test_near_copies.py turns it on
# Every kept value and every module's warnings read only the data whose stamps they are kept by
# (workstudy.freshness.reads_checked): a read of another app's tables fails the test.
PORTAL_CHECK_KEPT_READS = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
DEBUG = False
PORTAL_PDF_INLINE = True  # the render-job tests (tests/reports/test_pdf_worker*.py) switch it off
# `call_command("pdf_worker")` runs in the test process: it must not lower the suite's priority.
PORTAL_PDF_WORKER_NICE = 0
PORTAL_PDF_WORKER_IDLE = False
# Every signed-in request renews its session, so a test's query count does not depend on the
# minute it runs in; tests/trust/test_access.py sets the production interval where it tests it.
SESSION_RENEW_AFTER = 0
