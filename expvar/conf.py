"""Every ``EXPVAR_*`` setting, parsed once into one frozen ``Config``.

The parse is the only place a setting is validated: the system checks report its ``issues``,
and everything else reads the parsed values. It is rebuilt when Django says a setting changed
(``override_settings`` and pytest-django's ``settings`` fixture send ``setting_changed``).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.core.signals import setting_changed
from django.http import HttpRequest
from django.utils.module_loading import import_string

from expvar.issues import Issue
from expvar.push.config import StoreConfig, parse_store

logger = logging.getLogger("expvar")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
AccessPolicy = Callable[[HttpRequest], bool]

DEFAULT_TIMEOUT = 0.5
# Longer waits are not a monitoring poll any more, and past about 3e8 s the platform's clocks
# cannot even express them.
MAX_TIMEOUT = 3600.0
DEFAULT_REFRESH_INTERVAL = 5.0
# Past this a page would not refresh while anyone watches it; browsers' timers stop at ~24 days.
MAX_REFRESH_INTERVAL = 3600.0
DEFAULT_MAX_VALUE_BYTES = 1024 * 1024


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


def parse(read: Callable[[str, Any], Any]) -> Config:
    """Parse the settings ``read(name, default)`` gives into a Config and its issues."""
    issues: list[Issue] = []
    store, store_issues = parse_store(read("EXPVAR_STORE", "local"), read("CACHES", {}))
    issues += store_issues
    return Config(
        skip=_skip(read("EXPVAR_SKIP", ()), issues),
        timeout=_timeout(read("EXPVAR_TIMEOUT", DEFAULT_TIMEOUT), issues),
        networks=(
            *_networks(read("INTERNAL_IPS", ()), None, issues),
            *_networks(read("EXPVAR_ALLOWED_IPS", ()), "EXPVAR_ALLOWED_IPS", issues),
        ),
        token=_token(read("EXPVAR_TOKEN", None), issues),
        access=_access(read("EXPVAR_ACCESS", None), issues),
        store=store,
        refresh_interval=_seconds(
            "EXPVAR_REFRESH_INTERVAL",
            read("EXPVAR_REFRESH_INTERVAL", DEFAULT_REFRESH_INTERVAL),
            DEFAULT_REFRESH_INTERVAL,
            MAX_REFRESH_INTERVAL,
            "expvar.E006",
            issues,
        ),
        admin=_admin(read("EXPVAR_ADMIN", True), issues),
        max_value_bytes=_max_bytes(read("EXPVAR_MAX_VALUE_BYTES", DEFAULT_MAX_VALUE_BYTES), issues),
        issues=tuple(issues),
    )


def _skip(value: Any, issues: list[Issue]) -> frozenset[str]:
    if isinstance(value, (list, tuple)) and all(isinstance(entry, str) for entry in value):
        return frozenset(value)
    issues.append(
        Issue(
            "expvar.E001",
            f"EXPVAR_SKIP must be a list of app names or labels, not {value!r}; nothing is "
            "skipped until it is fixed.",
            f"Write EXPVAR_SKIP = [{value!r}]"
            if isinstance(value, str)
            else 'Write for example EXPVAR_SKIP = ["myapp"].',
        )
    )
    return frozenset()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _seconds(
    name: str, value: Any, default: float, maximum: float, check_id: str, issues: list[Issue]
) -> float:
    if _is_number(value) and 0 < value <= maximum:  # compared before float(): 10**400 has none
        return float(value)
    read_as = maximum if _is_number(value) and value > 0 else default
    issues.append(
        Issue(
            check_id,
            f"{name} must be a number more than 0 and at most {maximum:g} seconds, not "
            f"{value!r}; it is read as {read_as:g} until it is fixed.",
            f"Set {name} to a few seconds, such as {default:g}, or remove it.",
        )
    )
    return read_as


def _timeout(value: Any, issues: list[Issue]) -> float | None:
    if value is None:
        return None
    return _seconds("EXPVAR_TIMEOUT", value, DEFAULT_TIMEOUT, MAX_TIMEOUT, "expvar.E002", issues)


def _networks(value: Any, name: str | None, issues: list[Issue]) -> list[IPNetwork]:
    # INTERNAL_IPS (name None) is Django's own setting, shared with other apps: entries this
    # policy cannot read are left out without a word.
    if not isinstance(value, (list, tuple, set, frozenset)):
        if name is not None:
            issues.append(
                Issue(
                    "expvar.E003",
                    f"{name} must be a list of addresses or CIDR networks, not {value!r}.",
                    'Write for example EXPVAR_ALLOWED_IPS = ["10.0.0.0/8", "192.0.2.7"].',
                )
            )
        return []
    networks = []
    for entry in value:
        try:
            if not isinstance(entry, str):
                raise TypeError(f"it is a {type(entry).__name__}, not a string")
            networks.append(ipaddress.ip_network(entry.split("%", 1)[0], strict=False))
        except (ValueError, TypeError) as exc:
            if name is not None:
                issues.append(
                    Issue(
                        "expvar.E003",
                        f"{name} entry {entry!r} is not an address or network ({exc}); it is "
                        "ignored.",
                        'Write it as a string: an address like "10.1.2.3" or a network like '
                        '"10.0.0.0/8" (prefix 0-32 for IPv4, 0-128 for IPv6).',
                    )
                )
    return networks


def _token(value: Any, issues: list[Issue]) -> str | None:
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    issues.append(
        Issue(
            "expvar.E004",
            f"EXPVAR_TOKEN must be a non-empty string or None, not {value!r}; no token is "
            "accepted until it is fixed.",
            "Generate one with `python -c 'import secrets; print(secrets.token_urlsafe())'` "
            "and read it from the environment.",
        )
    )
    return None


def _access(value: Any, issues: list[Issue]) -> AccessPolicy | None:
    if value is None:
        return None
    try:
        policy = import_string(value) if isinstance(value, str) else value
        if not callable(policy):
            raise TypeError(f"{policy!r} is not callable")
    except (ImportError, TypeError) as exc:
        logger.error("expvar: EXPVAR_ACCESS %r cannot be used, denying access: %s", value, exc)
        issues.append(
            Issue(
                "expvar.E005",
                f"EXPVAR_ACCESS {value!r} cannot be used: {exc}. Until it is fixed every "
                "request to /debug/vars is denied.",
                "Set it to a dotted path to, or a callable, taking the request and returning "
                "True to allow it.",
            )
        )
        return _deny
    checked: AccessPolicy = policy
    return checked


def _admin(value: Any, issues: list[Issue]) -> bool:
    if isinstance(value, bool):
        return value
    issues.append(
        Issue(
            "expvar.E007",
            f"EXPVAR_ADMIN must be True or False, not {value!r}; it is read as True.",
            "Set EXPVAR_ADMIN = False to keep the dashboard off the default admin site.",
        )
    )
    return True


def _max_bytes(value: Any, issues: list[Issue]) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    issues.append(
        Issue(
            "expvar.E008",
            f"EXPVAR_MAX_VALUE_BYTES must be a positive whole number of bytes, not {value!r}; "
            "it is read as 1048576.",
            "Remove it for the default of 1 MiB (1048576).",
        )
    )
    return DEFAULT_MAX_VALUE_BYTES


_config: Config | None = None


def get_config() -> Config:
    """Return the parsed settings, parsing them on first use after start-up or a change."""
    global _config
    config = _config
    if config is None:
        config = _config = parse(lambda name, default: getattr(django_settings, name, default))
    return config


def _forget(*, setting: str, **kwargs: Any) -> None:
    global _config
    if setting.startswith("EXPVAR_") or setting in ("INTERNAL_IPS", "CACHES"):
        _config = None


setting_changed.connect(_forget, dispatch_uid="expvar.conf.forget")
