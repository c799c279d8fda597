"""A web worker settles its garbage collector once the portal is loaded (workstudy.heap)."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workstudy import heap

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def collector():
    """The collector as the test found it, and as it leaves it (another test may have imported
    config.wsgi in this process, which settles it)."""
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if frozen:
        gc.freeze()
    gc.set_threshold(*threshold)


def test_settle_freezes_what_is_loaded_and_collects_young_objects_less_often(settings, collector):
    settings.PORTAL_GC_THRESHOLD = 12345
    heap.settle()
    assert gc.get_threshold() == (12345, 20, 20)
    assert gc.get_freeze_count() > 10_000  # Django, the apps, the test's own modules


def test_zero_leaves_the_collector_as_python_sets_it(settings, collector):
    settings.PORTAL_GC_THRESHOLD = 0
    before = gc.get_threshold()
    heap.settle()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_wsgi_application_settles_the_collector_of_its_worker():
    """What gunicorn imports (config.wsgi) leaves its worker settled, with the production default."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    env.pop("PORTAL_GC_THRESHOLD", None)
    out = subprocess.run(
        [sys.executable, "-c", "import gc, config.wsgi; print(gc.get_threshold()[0], gc.get_freeze_count())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout.split()
    assert int(out[0]) == 20000
    assert int(out[1]) > 10_000
