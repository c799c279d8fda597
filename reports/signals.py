"""Locking a year stores its PDF once and records its dated facts; reopening discards both."""

from django.db import transaction

from .models import FactSnapshot


def on_year_locked(sender, year, user=None, **kwargs):
    from .milestones import snapshot
    from .pdf import store_locked_summary

    snapshot(year)
    transaction.on_commit(lambda: store_locked_summary(year.pk))


def on_year_reopened(sender, year, user=None, **kwargs):
    from .pdf import discard_stored_summary

    discard_stored_summary(year.pk)
    FactSnapshot.objects.filter(year=year).delete()
