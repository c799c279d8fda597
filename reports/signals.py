"""Locking a year keeps its summary as computed then and issues its documents; reopening
lets the summary follow the data again and marks the issued documents superseded (kept)."""

from .models import FrozenSummary


def on_year_locked(sender, year, user=None, **kwargs):
    from . import archive
    from .figures import freeze

    archive.issue(year, summary=freeze(year.pk))


def on_year_reopened(sender, year, user=None, **kwargs):
    from . import archive

    archive.supersede(year)
    FrozenSummary.objects.filter(year=year).delete()
