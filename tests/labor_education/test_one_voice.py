"""The labor-education form speaks with the portal's voice (tests/i18n/test_one_voice.py's walk,
over this app's form): no Django default message for any unlucky value, in Chinese or English."""

import pytest
from django.utils import translation

from labor_education.forms import LaborEducationForm
from tests.i18n.test_one_voice import UNLUCKY, _check, _defaults, _messages_of


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_form_refusals_are_the_portals(director, principal_a, year, language):
    defaults = _defaults(language)
    bad, checked = [], 0
    with translation.override(language):
        for user in (director, principal_a):
            fields = LaborEducationForm(user=user).fields
            for value in UNLUCKY:
                messages = _messages_of(LaborEducationForm(data={name: value for name in fields}, user=user))
                checked += len(messages)
                bad += _check(messages, defaults, "LaborEducationForm", language)
    assert checked > 40
    assert not bad, "\n".join(sorted(set(bad)))
