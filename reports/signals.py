"""Locking a year keeps its summary as computed then and issues its documents; reopening
lets the summary follow the data again and marks the issued documents superseded (kept).
Both per county: a county's lock keeps its own summary and issues its own documents."""


def on_year_locked(sender, year, user=None, county=None, whole=True, **kwargs):
    from . import archive
    from .figures import freeze

    archive.issue(year, summary=freeze(year.pk, county, whole), county=county)


def on_year_reopened(sender, year, user=None, county=None, **kwargs):
    from . import archive
    from .figures import thaw

    archive.supersede(year, county)
    thaw(year.pk, county)
