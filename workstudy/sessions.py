"""Django's database sessions (``SESSION_ENGINE = "workstudy.sessions"``), each request's read
of its session written as SQL once instead of built through the ORM at every request (0.9 →
0.25 ms of CPU per request, measured on the load test's data; see :mod:`workstudy.prepared`).
Saving, expiry and everything else are Django's."""

from __future__ import annotations

import functools

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


@functools.cache
def _load_sql(alias: str, vendor: str, table: str, key: str, data: str, expiry: str) -> str:
    quote = connections[alias].ops.quote_name
    return f"SELECT {quote(data)} FROM {quote(table)} WHERE {quote(key)} = %s AND {quote(expiry)} > %s"


class SessionStore(db.SessionStore):
    def load(self):
        """The session's data while it has not expired (as Django's ``load``); otherwise an empty
        session whose key is dropped, so that a new one is made when it is saved."""
        row = None
        if self.session_key:
            model = self.model
            alias = router.db_for_read(model)
            connection = connections[alias]
            field = model._meta.get_field
            sql = _load_sql(alias, connection.vendor, model._meta.db_table, field("session_key").column,
                            field("session_data").column, field("expire_date").column)
            with connection.cursor() as cursor:
                cursor.execute(sql, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
                row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
