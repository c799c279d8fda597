"""Locking a year keeps its summary as computed then and stores its PDF; reopening discards both."""

from django.db import transaction

from .models import FrozenSummary


def on_year_locked(sender, year, user=None, **kwargs):
    from .figures import freeze
    from .pdf import store_locked_summary

    freeze(year.pk)
    transaction.on_commit(lambda: store_locked_summary(year.pk))


def on_year_reopened(sender, year, user=None, **kwargs):
    from .pdf import discard_stored_summary

    discard_stored_summary(year.pk)
    FrozenSummary.objects.filter(year=year).delete()
