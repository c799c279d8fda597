"""Signals other apps listen to (e.g. reports stores a locked year's PDF)."""

from django.dispatch import Signal

year_locked = Signal()  # kwargs: year (ReportingYear), user
year_reopened = Signal()  # kwargs: year, user
