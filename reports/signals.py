"""Locking a year stores its PDF once; reopening it discards the stored copy."""

from django.db import transaction


def on_year_locked(sender, year, user=None, **kwargs):
    from .pdf import store_locked_summary

    transaction.on_commit(lambda: store_locked_summary(year.pk))


def on_year_reopened(sender, year, user=None, **kwargs):
    from .pdf import discard_stored_summary

    discard_stored_summary(year.pk)
