"""Settings for the work-study portal, read from the environment.

Development is the default (SQLite, DEBUG on). ``DJANGO_ENV=production`` turns on
the strict configuration: it refuses to start without ``SECRET_KEY`` and
``ALLOWED_HOSTS`` and passes ``manage.py check --deploy`` with no warnings.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from workstudy.proxy import parse_networks as parse_trusted_proxies

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


ENVIRONMENT = os.environ.get("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, production or test")
PRODUCTION = ENVIRONMENT == "production"

if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production needs SECRET_KEY (at least 50 random characters).")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production needs ALLOWED_HOSTS (comma-separated host names).")
    DEBUG = False
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-0123456789")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "testserver"]
    DEBUG = env_bool("DEBUG", default=ENVIRONMENT == "development")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",  # admin.autodiscover() runs in urls.py, not at start-up
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "workstudy",
    "enterprises",
    "labor_bases",
    "logistics",
    "labor_education",
    "statreturn",
    "insurance",
    "reports",
    "dataversions",
    "aggregates",
    "bench",
    "rollup",
    "upward",
]

MIDDLEWARE = [
    "workstudy.middleware.ServerTimingMiddleware",  # first: it times the whole request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "workstudy.middleware.DatabaseUnavailableMiddleware",  # 503 page; before sessions (their save can fail too)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workstudy.middleware.SessionRenewalMiddleware",  # after sessions: marks them before they are saved
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "workstudy.middleware.DropNullCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workstudy.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection is checked before each request reuses it: after PostgreSQL restarts,
        # the first request gets a new connection instead of an error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "workstudy.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in user with their school, county and region
    "workstudy.backends.PortalBackend",
]

# The first hasher hashes; the other only checks older hashes, which are rewritten with the first
# at the user's next login (workstudy.passwords.Argon2idHasher says why Argon2id).
PASSWORD_HASHERS = [
    "workstudy.passwords.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "workstudy.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Database sessions, read with SQL written once (workstudy.sessions).
SESSION_ENGINE = "workstudy.sessions"
# Sessions end after an hour without activity, give or take the renewal interval: a request
# renews its session when the last renewal is a minute old (workstudy.middleware.SessionRenewalMiddleware).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", "3600"))
SESSION_RENEW_AFTER = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): five failures lock the username+IP pair for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# Behind a reverse proxy (README, "Behind a proxy"): the addresses of the proxies whose
# X-Forwarded-For is believed, comma-separated addresses or networks. Failures are counted
# per user and real client address (workstudy.proxy.client_ip); from any other peer the
# header is ignored, so a client cannot pick the address its failures are counted under.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
parse_trusted_proxies(TRUSTED_PROXIES)  # a bad entry stops the start, with the entry named
AXES_CLIENT_IP_CALLABLE = "workstudy.proxy.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (development, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Files browsers ask for at the site root (favicon.ico) - otherwise every page logs a 404.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# WeasyPrint's C declarations, parsed once and kept as a module (see reports/weasy.py).
WEASYPRINT_FFI_CACHE = Path(os.environ.get("WEASYPRINT_FFI_CACHE", BASE_DIR / "var" / "cache"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: Excel files above this size are refused with a message (see workstudy.excel).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
EXCEL_MAX_UPLOAD_BYTES = int(os.environ.get("EXCEL_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
EXCEL_MAX_ROWS = int(os.environ.get("EXCEL_MAX_ROWS", "20000"))
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True

CACHES = {
    "default": (
        # Falls back to computing when Redis is down (workstudy.cache); REDIS_TIMEOUT in seconds.
        {"BACKEND": "workstudy.cache.ResilientRedisCache", "LOCATION": os.environ["REDIS_URL"],
         "OPTIONS": {"socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5"))}}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["workstudy.permissions.PortalPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "workstudy.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "勤工俭学管理平台 API",
    "DESCRIPTION": "县教育局勤工办：学校、年度填报、校办企业、劳动实践基地、后勤、保险与理赔。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content-Security-Policy: scripts only from our own static files. Inline styles are
# allowed because pygal's server-side SVG charts carry their own <style> blocks.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

X_FRAME_OPTIONS = "DENY"
# A form posted after its page expired (CSRF check failed): the portal's own 403 page.
CSRF_FAILURE_VIEW = "workstudy.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The county this deployment serves (shown in headers and the summary).
PORTAL_COUNTY_NAME = os.environ.get("PORTAL_COUNTY_NAME", "贵溪市")
PORTAL_BUREAU_NAME = os.environ.get("PORTAL_BUREAU_NAME", "贵溪市教育局")

# Open years' PDFs are made by `manage.py pdf_worker`, never in a web request (reports.render_jobs);
# PORTAL_PDF_INLINE=1 renders them in the request instead (the default with DEBUG on, so a bare
# `runserver` works without a worker). A running job silent this many seconds is taken again.
PORTAL_PDF_INLINE = env_bool("PORTAL_PDF_INLINE", default=DEBUG)
PORTAL_PDF_JOB_TIMEOUT = int(os.environ.get("PORTAL_PDF_JOB_TIMEOUT", "300"))
# The worker lowers its CPU priority by this much (os.nice): on a machine it shares with the web
# workers, pages come first and PDFs take the time left over. 0 keeps the priority it was given.
PORTAL_PDF_WORKER_NICE = int(os.environ.get("PORTAL_PDF_WORKER_NICE", "10"))
# And it runs under Linux's idle scheduling policy (SCHED_IDLE): a core is its only when no web
# worker or database process wants it. 0 leaves the policy alone.
PORTAL_PDF_WORKER_IDLE = env_bool("PORTAL_PDF_WORKER_IDLE", default=True)
# While other processes use more than this share of the machine's CPU time (0-1), the worker
# makes only PDFs nobody has any version of yet; a newer version of one already made waits for a
# quiet moment, at most PORTAL_PDF_REFRESH_WAIT seconds (the earlier one is served meanwhile).
PORTAL_PDF_BUSY_ABOVE = float(os.environ.get("PORTAL_PDF_BUSY_ABOVE", "0.5"))
PORTAL_PDF_REFRESH_WAIT = int(os.environ.get("PORTAL_PDF_REFRESH_WAIT", "120"))

# Values kept under the data versions (workstudy.freshness.cached) are also kept in each process,
# up to this many megabytes, so a page reading thirty of them asks the shared cache only for those
# the process has not seen under the current versions. 0 turns it off (the default without Redis:
# the local-memory cache is in the process already).
PORTAL_KEPT_IN_PROCESS_MB = int(os.environ.get("PORTAL_KEPT_IN_PROCESS_MB", "64" if os.environ.get("REDIS_URL") else "0"))

# A web worker collects its young objects every this many new containers (Python's default is
# 700), with what it loaded at start frozen out of the collector's reach (workstudy.heap,
# config/wsgi.py). 0 leaves the collector as Python sets it.
PORTAL_GC_THRESHOLD = int(os.environ.get("PORTAL_GC_THRESHOLD", "20000"))

# Every answer says what it cost the server (app, CPU and database time) in a Server-Timing
# header (workstudy.middleware.ServerTimingMiddleware). Off by default: it tells anyone who asks
# how long the server worked, which is for the people who run it (the load test turns it on).
PORTAL_SERVER_TIMING = env_bool("PORTAL_SERVER_TIMING", default=False)

# E-mail (催报 and return notices to principals). Printed to the console unless a backend is
# given; with EMAIL_HOST set and no backend named, SMTP is used.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
