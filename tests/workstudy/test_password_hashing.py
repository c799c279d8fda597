"""Passwords are hashed with Argon2id at OWASP's minimum (the production settings; the suite
itself hashes with MD5 for speed). A password hashed earlier with PBKDF2 still signs in, and is
rewritten with Argon2id at that login."""

import pytest
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher, make_password
from django.test import override_settings

from config import settings as production
from tests.factories import SchoolFactory, UserFactory
from workstudy.models import Role

PASSWORD = "a-long-enough-passphrase"


def test_production_hashes_with_argon2id_at_owasp_minimum():
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        hasher = get_hasher()
        assert (hasher.algorithm, hasher.time_cost, hasher.memory_cost, hasher.parallelism) == ("argon2", 2, 19456, 1)
        encoded = make_password(PASSWORD)
        assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        assert check_password(PASSWORD, encoded) and not check_password("wrong" + PASSWORD, encoded)


@pytest.mark.django_db
def test_an_older_pbkdf2_password_signs_in_and_is_rewritten(client):
    user = UserFactory(role=Role.PRINCIPAL, school=SchoolFactory())
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        user.set_password(PASSWORD)
        user.save()
    assert user.password.startswith("pbkdf2_sha256$")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        user.refresh_from_db()
        assert identify_hasher(user.password).algorithm == "argon2"
        rewritten = user.password
        client.logout()
        assert client.post("/login/", {"username": user.username, "password": "wrong" + PASSWORD}).status_code == 200
        assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
        user.refresh_from_db()
        assert user.password == rewritten  # an Argon2id hash is kept, not made again at every login
