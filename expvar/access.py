"""Who may read ``/debug/vars``: the default policy, and ``EXPVAR_ACCESS`` to replace it."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import import_string

from expvar.conf import settings

logger = logging.getLogger("expvar")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
AccessPolicy = Callable[[HttpRequest], bool]


def is_allowed(request: HttpRequest) -> bool:
    """Apply ``EXPVAR_ACCESS`` if set, else the default policy; fail closed on a bad setting."""
    configured = settings.ACCESS
    if configured is None:
        return default_policy(request)
    try:
        policy = load_policy(configured)
    except (ImportError, TypeError) as exc:
        logger.error("expvar: EXPVAR_ACCESS %r cannot be used, denying access: %s", configured, exc)
        return False
    return bool(policy(request))


def load_policy(configured: Any) -> AccessPolicy:
    """Return the callable ``EXPVAR_ACCESS`` names; raise ImportError or TypeError if it cannot."""
    policy = import_string(configured) if isinstance(configured, str) else configured
    if not callable(policy):
        raise TypeError(f"{configured!r} is not callable")
    return policy  # type: ignore[no-any-return]


def default_policy(request: HttpRequest) -> bool:
    """Loopback, INTERNAL_IPS, EXPVAR_ALLOWED_IPS, active staff, or the EXPVAR_TOKEN."""
    address = client_address(request)
    if address is not None and (
        address.is_loopback
        or address in _networks(tuple(_strings(settings.INTERNAL_IPS)))
        or address in _networks(tuple(_strings(settings.ALLOWED_IPS)))
    ):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return True
    return has_token(request)


def client_address(request: HttpRequest) -> IPAddress | None:
    """Return REMOTE_ADDR as an address; X-Forwarded-For is never consulted."""
    return _parse_address(request.META.get("REMOTE_ADDR") or "")


@lru_cache(maxsize=1024)
def _parse_address(raw: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(raw.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def has_token(request: HttpRequest) -> bool:
    """Tell whether the request carries EXPVAR_TOKEN as a Bearer token or Basic password."""
    token = settings.TOKEN
    if not isinstance(token, str) or not token:
        return False
    offered = offered_token(request.META.get("HTTP_AUTHORIZATION", ""))
    if not offered:
        return False
    return hmac.compare_digest(offered.encode(), token.encode())


def offered_token(header: str) -> str:
    """Return the token or Basic password an Authorization header carries, or ''."""
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""


class _Networks:
    def __init__(self, networks: list[IPNetwork]) -> None:
        self.networks = networks

    def __contains__(self, address: object) -> bool:
        return any(
            address in network
            for network in self.networks
            if isinstance(address, type(network.network_address))
        )


@lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> _Networks:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # reported by the expvar.E003 system check
    return _Networks(networks)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [entry for entry in value if isinstance(entry, str)]
    return ()
