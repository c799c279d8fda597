"""The web worker's garbage collector, settled once the portal is loaded.

A page allocates tens of thousands of short-lived objects (querysets, template nodes, rows).
With Python's default threshold (a young collection every 700 new containers) a principal's
checklist ran six collections, and every tenth of those walked the middle generation; every
hundredth or so the whole heap, which holds everything the worker imported (Django, the
templates, WeasyPrint): 8 ms of the summary page's CPU, 1 ms of the checklist's.

:func:`settle`, called when a worker has loaded the portal (``config/wsgi.py``), moves what it
has loaded so far out of the collector's reach (``gc.freeze``: it lives as long as the worker)
and collects the young generation every ``PORTAL_GC_THRESHOLD`` new containers instead:
0.3 ms of the checklist and 1 ms of the summary page, in the same process on the same data.
Cycles are still collected: less often, in batches that take a few milliseconds.
"""

from __future__ import annotations

import gc

from django.conf import settings


def settle() -> None:
    """Freeze what the worker has loaded and raise the young generation's threshold to
    ``PORTAL_GC_THRESHOLD`` (0: leave the collector as Python sets it)."""
    threshold = int(getattr(settings, "PORTAL_GC_THRESHOLD", 0))
    if threshold <= 0:
        return
    gc.collect()  # what loading left as garbage is freed, not frozen
    gc.freeze()
    gc.set_threshold(threshold, 20, 20)
