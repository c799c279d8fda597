"""Commit-ordered data versions: one counter per app, raised after each transaction that
changed the app's data commits (see :mod:`workstudy.freshness`)."""
