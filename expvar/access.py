"""Who may read ``/debug/vars``: the default policy, and ``EXPVAR_ACCESS`` to replace it."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
from functools import lru_cache
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpRequest

from expvar.conf import IPNetwork, get_config

logger = logging.getLogger("expvar")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_allowed(request: HttpRequest) -> bool:
    """Apply ``EXPVAR_ACCESS`` if set, else the default policy; fail closed on any error."""
    policy = get_config().access or default_policy
    try:
        return bool(policy(request))
    except Exception:
        logger.exception("expvar: the access policy %r raised; the request is denied", policy)
        return False


async def is_allowed_async(request: HttpRequest) -> bool:
    """``is_allowed()`` for async views: the user is loaded without blocking the loop."""
    policy = get_config().access
    try:
        if policy is None:
            return _allowed_by_address_or_token(request) or _is_staff(await _auser(request))
        if iscoroutinefunction(policy):
            return bool(await policy(request))
        return bool(await sync_to_async(policy)(request))
    except Exception:
        logger.exception("expvar: the access policy %r raised; the request is denied", policy)
        return False


def default_policy(request: HttpRequest) -> bool:
    """Loopback, INTERNAL_IPS, EXPVAR_ALLOWED_IPS, the EXPVAR_TOKEN, or active staff."""
    return _allowed_by_address_or_token(request) or _is_staff(getattr(request, "user", None))


def _allowed_by_address_or_token(request: HttpRequest) -> bool:
    # Before the user: a monitor's poll then costs no session lookup.
    address = client_address(request)
    if address is not None and (
        address.is_loopback or _in_networks(address, get_config().networks)
    ):
        return True
    return has_token(request)


def _is_staff(user: Any) -> bool:
    return user is not None and bool(user.is_active and user.is_staff)


async def _auser(request: HttpRequest) -> Any:
    # request.auser() comes with AuthenticationMiddleware; without it there is no user.
    auser = getattr(request, "auser", None)
    return await auser() if auser is not None else None


def _in_networks(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in networks if address.version == network.version)


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
    token = get_config().token
    if token is None:
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
