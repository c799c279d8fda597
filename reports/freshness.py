"""The data-change stamp lives in :mod:`workstudy.freshness`; kept here for reports' imports."""

from workstudy.freshness import TTL, connect, generation  # noqa: F401
