"""Helpers shared by the tests of what is kept between pages."""

from __future__ import annotations

import dataclasses

from workstudy import rules


def counted_checks(monkeypatch, module: str) -> list:
    """The school (None: every school) of each check of ``module`` run from now on."""
    calls: list = []
    for code, registered in list(rules.RULES.items()):
        if registered.year_check is not None and registered.module == module:
            def counted(year, school_id, _check=registered.year_check):
                calls.append(school_id)
                return _check(year, school_id)

            monkeypatch.setitem(rules.RULES, code, dataclasses.replace(registered, year_check=counted))
    return calls
