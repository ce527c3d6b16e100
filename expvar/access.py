"""Who may read ``/debug/vars``: the default policy, and ``EXPVAR_ACCESS`` to replace it."""

from __future__ import annotations

import base64
import hmac
import ipaddress
import logging
from functools import lru_cache
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpRequest

from expvar.conf import get_config

logger = logging.getLogger("expvar")


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
            if _allowed_by_address_or_token(request):
                return True
            # request.auser() comes with AuthenticationMiddleware; without it there is no user.
            auser = getattr(request, "auser", None)
            return _is_staff(await auser() if auser is not None else None)
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
    address = _parse_address(request.META.get("REMOTE_ADDR") or "")  # never X-Forwarded-For
    if address is not None and (
        address.is_loopback
        # An IPv4 address and an IPv6 network can share bits: only the same version compares.
        or any(address in net for net in get_config().networks if address.version == net.version)
    ):
        return True
    return has_token(request)


def _is_staff(user: Any) -> bool:
    return user is not None and bool(user.is_active and user.is_staff)


@lru_cache(maxsize=1024)
def _parse_address(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
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
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    offered = credentials.strip()
    if scheme.lower() == "basic":
        try:
            offered = base64.b64decode(offered, validate=True).decode().partition(":")[2]
        except ValueError:  # not base64, or not UTF-8
            return False
    elif scheme.lower() != "bearer":
        return False
    # The parsed token is never empty, so an empty offer never matches.
    return hmac.compare_digest(offered.encode(), token.encode())
