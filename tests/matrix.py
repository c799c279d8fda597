"""The permission matrix: every URL of the project x every role.

Each app lists its URLs in ``tests/<app>/url_cases.py``: a ``CASES`` list of
:class:`Case` and, if its URLs need objects, a ``build(world)`` function that adds
school B's rows to ``world``. ``tests/test_permission_matrix.py`` runs every case for
every role and fails for any URL pattern that has no case, so a new URL is covered
(or the suite fails) the moment it is added.

Objects in the world belong to school B: principal A must get 404 on them, principal
B sees them, and no response to principal A may contain school B's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ANON, STAFF, PRINCIPAL_A, PRINCIPAL_B, AUDITOR = "anon", "staff", "principal_a", "principal_b", "auditor"
ROLES = (ANON, STAFF, PRINCIPAL_A, PRINCIPAL_B, AUDITOR)
LOGIN = "login"  # a redirect to the login page

# Common expectation rows.
EVERYONE = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 200, PRINCIPAL_B: 200, AUDITOR: 200}
SCHOOL_B_OBJECT = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 200, AUDITOR: 200}
BUREAU_READ = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 200}
STAFF_ONLY = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
WRITERS = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 200, PRINCIPAL_B: 200, AUDITOR: 403}
API_EVERYONE = {ANON: 403, STAFF: 200, PRINCIPAL_A: 200, PRINCIPAL_B: 200, AUDITOR: 200}
API_SCHOOL_B_OBJECT = {ANON: 403, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 200, AUDITOR: 200}
API_BUREAU_READ = {ANON: 403, STAFF: 200, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 200}


@dataclass
class Case:
    url_name: str
    expect: dict[str, int | str]
    kwargs: Callable[[object], dict] = field(default=lambda w: {})
    method: str = "get"
    data: Callable[[object], dict] | None = None
    query: str = ""
    content_type: str | None = None
    # Some responses legitimately mention school B to principal A? Never: keep True.
    check_leak: bool = True

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.url_name}{'?' + self.query if self.query else ''}"
