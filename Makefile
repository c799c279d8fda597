# Two commands on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?=
# The suite runs on both cores (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2

.PHONY: demo test install sysdeps serve migrate bench lint prodcheck loadtest messages clean

# requirements.txt is what production runs; requirements-dev.txt adds the test and lint tools.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

sysdeps:
	@bash scripts/sysdeps.sh

migrate: install
	$(PY) manage.py migrate --noinput

# The demo runs as users will see it: DEBUG off, so 403/404/500 are the portal's own pages
# (templates/403.html …) and not Django's debug pages; whitenoise serves the static files.
# tests/test_error_pages_demo.py serves with exactly DEMO_ENV.
DEMO_ENV := DEBUG=0

demo: install sysdeps migrate
	$(PY) manage.py load_demo
	@echo ""
	@echo "门户地址 / Portal: http://127.0.0.1:8000   (Ctrl-C 停止)"
	@# Open years' PDFs are made by the worker beside the server (reports/render_jobs.py); Ctrl-C stops both.
	$(DEMO_ENV) $(PY) manage.py pdf_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

serve: install
	$(PY) manage.py runserver 127.0.0.1:8000

test: install sysdeps
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# `make bench` builds its data in a scratch database and measures it (see README, Benchmark):
# var/bench.sqlite3 by default, or the PostgreSQL database DATABASE_URL names (e.g.
# postgres://postgres@127.0.0.1:5432/workstudy_bench; its name must contain "bench").
BENCH_DATABASE_URL = $(if $(DATABASE_URL),$(DATABASE_URL),sqlite:///$(CURDIR)/var/bench.sqlite3)
BENCH_ARGS ?=

bench: install sysdeps
	@mkdir -p var
	@# bench creates the PostgreSQL database if it is missing, then migrates it, then measures.
	DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=0 $(PY) manage.py bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# Production: a virtualenv with requirements.txt only, check --deploy, the demo through Redis.
prodcheck:
	@bash scripts/prod_check.sh

# `make loadtest` (README, Load test): gunicorn with the production settings, PostgreSQL
# (LOADTEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ws_loadtest, dropped and
# rebuilt; its name must contain "loadtest") and Redis, under Locust for 10 minutes; QUICK=1
# for about a minute, FAULTS=1 adds a killed worker, a PostgreSQL restart and a Redis stop.
# Not part of `make test`.
LOADTEST_ARGS ?=

loadtest: install
	$(PY) scripts/loadtest/run.py $(if $(QUICK),--quick) $(if $(FAULTS),--faults) $(LOADTEST_ARGS)

messages: install
	$(PY) manage.py makemessages -l en --no-obsolete -i ".venv/*" -i "tests/*" -i "var/*"
	$(PY) manage.py compilemessages -l en

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
