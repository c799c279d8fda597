"""System checks of the deployment that only the database can answer (``manage.py check
--database default``; ``migrate`` runs them too)."""

from django.core import checks
from django.db import connections

# The server settings that keep the planner's statistics; all must be "on" (the load test's own
# analyze, scripts/loadtest/run.py, reads the same ones).
STATISTICS_SETTINGS = ("autovacuum", "track_counts")
STATISTICS_SQL = "SELECT " + ", ".join(f"current_setting('{name}')" for name in STATISTICS_SETTINGS)


@checks.register(checks.Tags.database)
def autovacuum_is_on(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """PostgreSQL keeps the statistics its planner needs by itself (autovacuum), unless that is
    switched off. Without them a table the planner believes empty is read in full for every row
    of a join: on the load test's county, the summary page after a change spent 79 ms in the
    database instead of 17 ms."""
    found = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute(STATISTICS_SQL)
            values = dict(zip(STATISTICS_SETTINGS, cursor.fetchone(), strict=True))
        if any(value != "on" for value in values.values()):
            shown = ", ".join(f"{name} = {value}" for name, value in values.items())
            found.append(checks.Warning(
                f"PostgreSQL's autovacuum is off for the database '{alias}' ({shown}): its tables' "
                "statistics go stale and queries get slow plans.",
                hint=f"Set {' and '.join(f'{name} = on' for name in STATISTICS_SETTINGS)} in postgresql.conf "
                     "(the default), or run ANALYZE after every bulk load and regularly from cron.",
                id="workstudy.W001",
            ))
    return found
