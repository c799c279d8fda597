import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Each worker loads WeasyPrint as it starts (see reports/weasy.py), so the first summary
# PDF a user asks a fresh worker for does not pay for it.
from reports import weasy  # noqa: E402

weasy.load()

# What the worker has loaded lives as long as it does: out of the collector's reach, and the
# young generation collected less often (workstudy.heap says what it saves).
from workstudy import heap  # noqa: E402

heap.settle()
