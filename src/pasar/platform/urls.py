"""Where Pasar may send signed requests: the rule for every URL a seller or 3PL gives us.

Shared by the 3PL push and seller webhooks, so a URL refused in one place is refused in
the other.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

#: Hosts that may be reached over plain http (a receiver on the same machine).
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1"})


def endpoint_problem(url: str) -> str | None:
    """Why `url` cannot receive signed requests, or None if it can.

    https anywhere public; http only on this machine, where nothing travels over a
    network. An address inside a private network (10.x, 192.168.x, link-local such as the
    cloud metadata service 169.254.169.254) is refused: a seller must not make Pasar call
    its neighbours. (A public name that resolves to such an address is not caught here.)
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("https", "http") or not host:
        return "must be an absolute https:// URL"
    if parts.username or parts.password:
        return "must not carry credentials; requests are signed instead"
    if parts.scheme == "http" and host.lower() not in LOOPBACK_HOSTS:
        return "must use https (plain http is allowed only for localhost and 127.0.0.1)"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a name
    if not address.is_global and not address.is_loopback:
        return "must be a public address, not one inside a private network"
    return None


def is_loopback(url: str) -> bool:
    """True if `url` points at this machine (localhost, 127.0.0.0/8, ::1)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
