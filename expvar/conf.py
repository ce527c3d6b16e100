"""Every ``EXPVAR_*`` setting, parsed once into one frozen ``Config``.

The parse is the only place a setting is validated: the system checks report its ``issues``,
and everything else reads the parsed values. It is rebuilt when Django says a setting changed
(``override_settings`` and pytest-django's ``settings`` fixture send ``setting_changed``)."""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings as django_settings
from django.core.signals import setting_changed
from django.http import HttpRequest
from django.utils.module_loading import import_string

from expvar.issues import Issue
from expvar.push.config import StoreConfig, parse_store

logger = logging.getLogger("expvar")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
AccessPolicy = Callable[[HttpRequest], bool]
T = TypeVar("T")

DEFAULT_TIMEOUT = 0.5
DEFAULT_REFRESH_INTERVAL = 5.0
DEFAULT_MAX_VALUE_BYTES = 1024 * 1024
# Each setting in seconds: its check id, default and greatest value. A longer timeout is no
# monitoring poll any more (past about 3e8 s the platform's clocks cannot express it); a longer
# interval would not refresh a page while anyone watches it (browsers' timers stop at ~24 days).
SECONDS = {
    "EXPVAR_TIMEOUT": ("expvar.E002", DEFAULT_TIMEOUT, 3600.0),
    "EXPVAR_REFRESH_INTERVAL": ("expvar.E006", DEFAULT_REFRESH_INTERVAL, 3600.0),
}


def _deny(request: HttpRequest) -> bool:
    return False


@dataclass(frozen=True)
class Config:
    skip: frozenset[str] = frozenset()
    timeout: float | None = DEFAULT_TIMEOUT
    # INTERNAL_IPS and EXPVAR_ALLOWED_IPS together: the addresses the default policy admits.
    networks: tuple[IPNetwork, ...] = ()
    token: str | None = None
    access: AccessPolicy | None = None
    store: StoreConfig = field(default_factory=StoreConfig)
    refresh_interval: float = DEFAULT_REFRESH_INTERVAL
    admin: bool = True
    max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES
    issues: tuple[Issue, ...] = ()


def _invalid(issues: list[Issue], read_as: T, check_id: str, message: str, hint: str) -> T:
    """Record what is wrong with a setting; return what it is read as until it is fixed."""
    issues.append(Issue(check_id, message, hint))
    return read_as


def parse(read: Callable[[str, Any], Any]) -> Config:
    """Parse the settings ``read(name, default)`` gives into a Config and its issues."""
    store, store_issues = parse_store(read("EXPVAR_STORE", "local"), read("CACHES", {}))
    issues = list(store_issues)
    timeout = read("EXPVAR_TIMEOUT", DEFAULT_TIMEOUT)
    refresh_interval = read("EXPVAR_REFRESH_INTERVAL", DEFAULT_REFRESH_INTERVAL)
    return Config(
        skip=_skip(read("EXPVAR_SKIP", ()), issues),
        timeout=None if timeout is None else _seconds("EXPVAR_TIMEOUT", timeout, issues),
        networks=(
            # INTERNAL_IPS is Django's own setting, shared with other apps: entries this policy
            # cannot read are left out without a word.
            *_networks("INTERNAL_IPS", read("INTERNAL_IPS", ()), []),
            *_networks("EXPVAR_ALLOWED_IPS", read("EXPVAR_ALLOWED_IPS", ()), issues),
        ),
        token=_token(read("EXPVAR_TOKEN", None), issues),
        access=_access(read("EXPVAR_ACCESS", None), issues),
        store=store,
        refresh_interval=_seconds("EXPVAR_REFRESH_INTERVAL", refresh_interval, issues),
        admin=_admin(read("EXPVAR_ADMIN", True), issues),
        max_value_bytes=_max_bytes(read("EXPVAR_MAX_VALUE_BYTES", DEFAULT_MAX_VALUE_BYTES), issues),
        issues=tuple(issues),
    )


def _skip(value: Any, issues: list[Issue]) -> frozenset[str]:
    if isinstance(value, (list, tuple)) and all(isinstance(entry, str) for entry in value):
        return frozenset(value)
    message = (
        f"EXPVAR_SKIP must be a list of app names or labels, not {value!r}; nothing is "
        "skipped until it is fixed."
    )
    hint = (
        f"Write EXPVAR_SKIP = [{value!r}]"
        if isinstance(value, str)
        else 'Write for example EXPVAR_SKIP = ["myapp"].'
    )
    return _invalid(issues, frozenset(), "expvar.E001", message, hint)


def _seconds(name: str, value: Any, issues: list[Issue]) -> float:
    check_id, default, maximum = SECONDS[name]
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if is_number and 0 < value <= maximum:  # compared before float(): 10**400 has none
        return float(value)
    read_as = maximum if is_number and value > 0 else default
    message = (
        f"{name} must be a number more than 0 and at most {maximum:g} seconds, not {value!r}; "
        f"it is read as {read_as:g} until it is fixed."
    )
    hint = f"Set {name} to a few seconds, such as {default:g}, or remove it."
    return _invalid(issues, read_as, check_id, message, hint)


def _networks(name: str, value: Any, issues: list[Issue]) -> list[IPNetwork]:
    if not isinstance(value, (list, tuple, set, frozenset)):
        message = f"{name} must be a list of addresses or CIDR networks, not {value!r}."
        hint = 'Write for example EXPVAR_ALLOWED_IPS = ["10.0.0.0/8", "192.0.2.7"].'
        return _invalid(issues, [], "expvar.E003", message, hint)
    networks = []
    for entry in value:
        try:
            if not isinstance(entry, str):
                raise TypeError(f"it is a {type(entry).__name__}, not a string")
            networks.append(ipaddress.ip_network(entry.split("%", 1)[0], strict=False))
        except (ValueError, TypeError) as exc:
            message = f"{name} entry {entry!r} is not an address or network ({exc}); it is ignored."
            hint = (
                'Write it as a string: an address like "10.1.2.3" or a network like '
                '"10.0.0.0/8" (prefix 0-32 for IPv4, 0-128 for IPv6).'
            )
            issues.append(Issue("expvar.E003", message, hint))
    return networks


def _token(value: Any, issues: list[Issue]) -> str | None:
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    message = (
        f"EXPVAR_TOKEN must be a non-empty string or None, not {value!r}; no token is "
        "accepted until it is fixed."
    )
    hint = (
        "Generate one with `python -c 'import secrets; print(secrets.token_urlsafe())'` "
        "and read it from the environment."
    )
    return _invalid(issues, None, "expvar.E004", message, hint)


def _access(value: Any, issues: list[Issue]) -> AccessPolicy | None:
    if value is None:
        return None
    try:
        policy: AccessPolicy = import_string(value) if isinstance(value, str) else value
        if not callable(policy):
            raise TypeError(f"{policy!r} is not callable")
    except (ImportError, TypeError) as exc:
        message = (
            f"EXPVAR_ACCESS {value!r} cannot be used: {exc}. Until it is fixed every "
            "request to /debug/vars is denied."
        )
        logger.error("expvar: %s", message)
        hint = (
            "Set it to a dotted path to, or a callable, taking the request and returning "
            "True to allow it."
        )
        return _invalid(issues, _deny, "expvar.E005", message, hint)
    return policy


def _admin(value: Any, issues: list[Issue]) -> bool:
    if isinstance(value, bool):
        return value
    message = f"EXPVAR_ADMIN must be True or False, not {value!r}; it is read as True."
    hint = "Set EXPVAR_ADMIN = False to keep the dashboard off the default admin site."
    return _invalid(issues, True, "expvar.E007", message, hint)


def _max_bytes(value: Any, issues: list[Issue]) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    message = (
        f"EXPVAR_MAX_VALUE_BYTES must be a positive whole number of bytes, not {value!r}; "
        "it is read as 1048576."
    )
    hint = "Remove it for the default of 1 MiB (1048576)."
    return _invalid(issues, DEFAULT_MAX_VALUE_BYTES, "expvar.E008", message, hint)


@functools.cache
def get_config() -> Config:
    """Return the parsed settings, parsing them on first use after start-up or a change."""
    return parse(functools.partial(getattr, django_settings))


def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("EXPVAR_") or setting in ("INTERNAL_IPS", "CACHES"):
        get_config.cache_clear()


setting_changed.connect(_forget, dispatch_uid="expvar.conf.forget")
