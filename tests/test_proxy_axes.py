"""Behind a proxy, django-axes counts failures per user and real client
address; X-Forwarded-For is believed only from the configured trusted proxies."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from workstudy import proxy

PASSWORD = "test-pass-123"  # tests.factories.UserFactory's password
LOCKOUT_TEXT = "登录失败次数过多"
PROXY = "192.0.2.10"  # the county's reverse proxy


@pytest.fixture
def behind_proxy(db):
    from axes.utils import reset

    with override_settings(AXES_ENABLED=True, TRUSTED_PROXIES=[PROXY, "10.1.0.0/16"]):
        reset()
        yield
        reset()


def _login(username, password, *, peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client(**extra).post(reverse("login"), {"username": username, "password": password})


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_forwarded_brute_force_locks_that_client_and_user_only(behind_proxy, principal_a, principal_b):
    attacker = "198.51.100.7"
    for attempt in range(5):
        _login("principal_a", f"wrong-{attempt}", peer=PROXY, forwarded=attacker)
    # The attacker is locked out of principal_a, even with the right password.
    response = _login("principal_a", PASSWORD, peer=PROXY, forwarded=attacker)
    assert not _logged_in(response) and LOCKOUT_TEXT in response.content.decode()
    # The real principal A, at another school behind the same proxy, still logs in.
    assert _logged_in(_login("principal_a", PASSWORD, peer=PROXY, forwarded="198.51.100.8"))
    # Another user behind the same proxy is not locked either.
    assert _logged_in(_login("principal_b", PASSWORD, peer=PROXY, forwarded="198.51.100.9"))
    # Failures were counted under the client's address, not the proxy's.
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert attacker in addresses and PROXY not in addresses


def test_a_chain_of_trusted_proxies_is_walked_to_the_client(behind_proxy, principal_a):
    # client -> 10.1.2.3 (inner trusted proxy) -> PROXY; the client put a fake entry first.
    chain = "203.0.113.99, 198.51.100.7, 10.1.2.3"
    for attempt in range(5):
        _login("principal_a", f"wrong-{attempt}", peer=PROXY, forwarded=chain)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    assert _logged_in(_login("principal_a", PASSWORD, peer=PROXY, forwarded="198.51.100.8, 10.1.2.3"))


def test_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(behind_proxy, principal_a):
    direct = "203.0.113.50"  # not a proxy of ours
    for attempt in range(5):
        # A new made-up address every time: were it believed, no address would reach five.
        _login("principal_a", f"wrong-{attempt}", peer=direct, forwarded=f"198.51.100.{attempt + 1}")
    response = _login("principal_a", PASSWORD, peer=direct, forwarded="198.51.100.200")
    assert not _logged_in(response) and LOCKOUT_TEXT in response.content.decode()
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {direct}


def test_without_trusted_proxies_the_header_is_never_believed(db, principal_a):
    from axes.utils import reset

    with override_settings(AXES_ENABLED=True, TRUSTED_PROXIES=[]):
        reset()
        for attempt in range(5):
            _login("principal_a", f"wrong-{attempt}", peer=PROXY, forwarded=f"198.51.100.{attempt + 1}")
        assert LOCKOUT_TEXT in _login("principal_a", PASSWORD, peer=PROXY, forwarded="1.1.1.1").content.decode()
        reset()


@pytest.mark.parametrize("peer,forwarded,expected", [
    (PROXY, "198.51.100.7", "198.51.100.7"),
    (PROXY, "198.51.100.7:51234", "198.51.100.7"),
    (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
    (PROXY, "not-an-address", PROXY),  # garbage from the proxy: counted under the proxy
    (PROXY, "", PROXY),
    (PROXY, "10.1.0.9", "10.1.0.9"),  # only trusted hops: the leftmost
    ("203.0.113.50", "198.51.100.7", "203.0.113.50"),
    ("::ffff:192.0.2.10", "198.51.100.7", "198.51.100.7"),  # the proxy over an IPv4-mapped socket
])
def test_client_ip(peer, forwarded, expected):
    with override_settings(TRUSTED_PROXIES=[PROXY, "10.1.0.0/16"]):
        request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
        assert proxy.client_ip(request) == expected


def test_a_bad_trusted_proxy_entry_stops_the_start():
    with pytest.raises(ImproperlyConfigured, match="not-an-ip"):
        proxy.parse_networks(["10.0.0.1", "not-an-ip"])
