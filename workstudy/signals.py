"""Signals other apps listen to (e.g. reports stores a locked year's PDF)."""

from django.dispatch import Signal

# kwargs: year (the ReportingYear as the county sees it), user, county (the Region that locked;
# None: every county at once), whole (the year itself is now locked: every county has).
year_locked = Signal()
# kwargs: year, user, county (the Region that reopened; None: every county), was_whole (the year
# itself was locked before).
year_reopened = Signal()

# Rows written with bulk_create (no post_save per row), after the model's own bulk_saved:
# kwargs: objs (the new instances, with their ids). Derived data (aggregates) follows them.
rows_bulk_created = Signal()
