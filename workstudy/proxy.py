"""The real client address of a request, for login throttling (django-axes) and anything
else that counts per client.

Behind a reverse proxy every request comes from the proxy's address, so counting failures
per ``REMOTE_ADDR`` would lock everyone behind that proxy together. The client's address
is then in ``X-Forwarded-For`` — but anyone can send that header, so it is believed only
when the direct peer is one of ``settings.TRUSTED_PROXIES`` (addresses or networks, from
the ``TRUSTED_PROXIES`` environment variable; see README, "Behind a proxy").

The header is read from the right: each trusted proxy appends the address it received the
request from, so the first address from the right that is not a trusted proxy is the
client. Entries to its left were written by the client itself and are ignored (a client
cannot choose its address by sending ``X-Forwarded-For: 1.2.3.4``).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries) -> tuple[Network, ...]:
    """``["10.0.0.1", "172.16.0.0/12", "::1"]`` -> networks; a bad entry stops the start."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _address(text: str):
    """An IP address from a header entry (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``), or None."""
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The address failures are counted under (``AXES_CLIENT_IP_CALLABLE``)."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    peer = _address(remote)
    if not networks or not _trusted(peer, networks):
        return str(peer) if peer is not None else (remote or None)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A trusted proxy passed on something that is not an address: count it under the
            # proxy's own address rather than under a value the client may have chosen.
            return str(peer)
        if not _trusted(address, networks):
            return str(address)
    # Every hop is a trusted proxy (e.g. a health check from inside): the leftmost one.
    return str(_address(hops[0])) if hops else str(peer)
