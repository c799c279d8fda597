#!/usr/bin/env bash
# Production check: a virtualenv holding only requirements.txt (no test tools), production
# settings, `check --deploy`, then the demo served through a Redis cache (scripts/prod_smoke.py).
# CI runs it after the suite; `make prodcheck` runs it by hand. Needs Redis on REDIS_URL
# (default redis://127.0.0.1:6379/14, a scratch database that is flushed).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${PROD_VENV:-var/prodvenv}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "--- production virtualenv ($venv) from requirements.txt only"
if [ "${PROD_VENV_KEEP:-}" != 1 ] || [ ! -x "$venv/bin/python" ]; then  # PROD_VENV_KEEP=1 reuses it
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip 2>/dev/null
  "$venv/bin/pip" install -q -r requirements.txt
fi
"$venv/bin/pip" check
for tool in pytest playwright hypothesis schemathesis ruff factory; do
  if "$venv/bin/python" -c "import $tool" 2>/dev/null; then
    echo "the test tool '$tool' is installed by requirements.txt; it belongs in requirements-dev.txt" >&2
    exit 1
  fi
done

export DJANGO_ENV=production
export SECRET_KEY=$("$venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(60))")
export ALLOWED_HOSTS=portal.example.cn
export DATABASE_URL="sqlite:///$work/prod.sqlite3"
export MEDIA_ROOT="$work/media"
export REDIS_URL=${PROD_REDIS_URL:-redis://127.0.0.1:6379/14}
unset DEBUG DJANGO_SETTINGS_MODULE DJANGO_ALLOW_ASYNC_UNSAFE

if ! "$venv/bin/python" -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).ping()" 2>/dev/null; then
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --port 6379 >/dev/null
    sleep 1
  fi
  "$venv/bin/python" -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).ping()" 2>/dev/null || {
    echo "Redis is not reachable on $REDIS_URL (install redis-server or set PROD_REDIS_URL)" >&2; exit 1; }
fi

echo "--- check --deploy"
"$venv/bin/python" manage.py check --deploy --fail-level WARNING
echo "--- migrate, collectstatic, demo county"
"$venv/bin/python" manage.py migrate --noinput -v0
"$venv/bin/python" manage.py collectstatic --noinput -v0
"$venv/bin/python" manage.py load_demo >/dev/null
echo "--- pages and PDF through the Redis cache"
"$venv/bin/python" scripts/prod_smoke.py
