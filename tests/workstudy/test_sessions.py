"""The portal's session store (:mod:`workstudy.sessions`) reads a session as Django's database
store does: the data while it has not expired; an expired, unknown or missing key gives an
empty session and drops the key, so the user is signed out and a new session is made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.factories import SchoolFactory, UserFactory
from workstudy.models import Role
from workstudy.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_portal_uses_it():
    assert settings.SESSION_ENGINE == "workstudy.sessions"


@pytest.mark.parametrize("store", [SessionStore, django_db.SessionStore])
def test_it_reads_what_djangos_store_reads(store):
    """Run against Django's own store too: the two agree on every case."""
    saved = SessionStore()
    saved["text"], saved["n"] = "勤工俭学", 7
    saved.save()
    assert dict(store(saved.session_key).load()) == {"text": "勤工俭学", "n": 7}

    unknown = store("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None
    missing = store(None)
    assert missing.load() == {} and missing.session_key is None

    Session.objects.filter(session_key=saved.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = store(saved.session_key)
    assert expired.load() == {} and expired.session_key is None


def test_a_page_signs_out_the_user_of_an_expired_session(client):
    user = UserFactory(role=Role.PRINCIPAL, school=SchoolFactory())
    client.force_login(user)
    assert client.get("/", secure=True).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/", secure=True)
    assert response.status_code == 302 and "/login/" in response["Location"]
