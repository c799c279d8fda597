"""Signals other apps listen to (e.g. reports stores a locked year's PDF)."""

from django.dispatch import Signal

year_locked = Signal()  # kwargs: year (ReportingYear), user
year_reopened = Signal()  # kwargs: year, user

# Rows written with bulk_create (no post_save per row), after the model's own bulk_saved:
# kwargs: objs (the new instances, with their ids). Derived data (aggregates) follows them.
rows_bulk_created = Signal()
