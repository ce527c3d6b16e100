"""System checks: malformed settings are errors, doubtful declarations are warnings."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, Warning, register

from expvar.access import load_policy
from expvar.conf import MAX_REFRESH_INTERVAL, MAX_TIMEOUT, settings
from expvar.discovery import get_registry


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@register()
def check_settings(**kwargs: Any) -> list[CheckMessage]:
    return [
        *_check_skip(settings.SKIP),
        *_check_timeout(settings.TIMEOUT),
        *_check_allowed_ips(settings.ALLOWED_IPS),
        *_check_token(settings.TOKEN),
        *_check_access(settings.ACCESS),
        *_check_seconds(
            "EXPVAR_REFRESH_INTERVAL",
            settings.REFRESH_INTERVAL,
            "expvar.E006",
            "5",
            MAX_REFRESH_INTERVAL,
        ),
        *_check_admin(settings.ADMIN),
        *_check_max_bytes(settings.MAX_VALUE_BYTES),
    ]


def _check_skip(value: Any) -> Iterable[CheckMessage]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(e, str) for e in value):
        yield Error(
            f"EXPVAR_SKIP must be a list of app names or labels, not {value!r}.",
            hint=(
                f"Write EXPVAR_SKIP = [{value!r}]"
                if isinstance(value, str)
                else 'Write for example EXPVAR_SKIP = ["myapp"].'
            ),
            id="expvar.E001",
        )
        return
    known = {config.name for config in apps.get_app_configs()}
    known |= {config.label for config in apps.get_app_configs()}
    for entry in value:
        if entry not in known:
            yield Warning(
                f"EXPVAR_SKIP names {entry!r}, which is no installed app's name or label.",
                hint="Check the spelling against INSTALLED_APPS; this entry skips nothing.",
                id="expvar.W004",
            )


def _check_seconds(
    name: str, value: Any, check_id: str, default: str, maximum: float
) -> Iterable[CheckMessage]:
    if not _is_number(value) or not value > 0:
        yield Error(
            f"{name} must be a number of seconds greater than 0, not {value!r}.",
            hint=f"Set {name} to a positive number such as {default}, or remove it.",
            id=check_id,
        )
    elif value > maximum:
        yield Error(
            f"{name} must be at most {maximum:g} seconds, not {value!r}; a longer value is "
            f"read as {maximum:g}.",
            hint=f"Set {name} to a few seconds, such as {default}, or remove it.",
            id=check_id,
        )


def _check_timeout(value: Any) -> Iterable[CheckMessage]:
    if value is None:
        return
    yield from _check_seconds("EXPVAR_TIMEOUT", value, "expvar.E002", "2.0 (or None)", MAX_TIMEOUT)


def _check_allowed_ips(value: Any) -> Iterable[CheckMessage]:
    if not isinstance(value, (list, tuple)):
        yield Error(
            f"EXPVAR_ALLOWED_IPS must be a list of addresses or CIDR networks, not {value!r}.",
            hint='Write for example EXPVAR_ALLOWED_IPS = ["10.0.0.0/8", "192.0.2.7"].',
            id="expvar.E003",
        )
        return
    for entry in value:
        try:
            ipaddress.ip_network(entry, strict=False)
        except (ValueError, TypeError) as exc:
            yield Error(
                f"EXPVAR_ALLOWED_IPS entry {entry!r} is not an address or network: {exc}.",
                hint="Use an address like 10.1.2.3 or a network like 10.0.0.0/8 (prefix 0-32 "
                "for IPv4, 0-128 for IPv6).",
                id="expvar.E003",
            )


def _check_token(value: Any) -> Iterable[CheckMessage]:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        yield Error(
            f"EXPVAR_TOKEN must be a non-empty string or None, not {value!r}.",
            hint="Generate one with `python -c 'import secrets; print(secrets.token_urlsafe())'` "
            "and read it from the environment.",
            id="expvar.E004",
        )


def _check_access(value: Any) -> Iterable[CheckMessage]:
    if value is None:
        return
    try:
        load_policy(value)
    except (ImportError, TypeError) as exc:
        yield Error(
            f"EXPVAR_ACCESS {value!r} cannot be used: {exc}. Until it is fixed every request "
            "to /debug/vars is denied.",
            hint="Set it to a dotted path to, or a callable, taking the request and returning "
            "True to allow it.",
            id="expvar.E005",
        )


def _check_admin(value: Any) -> Iterable[CheckMessage]:
    if not isinstance(value, bool):
        yield Error(
            f"EXPVAR_ADMIN must be True or False, not {value!r}.",
            hint="Set EXPVAR_ADMIN = False to keep the dashboard off the default admin site.",
            id="expvar.E007",
        )


def _check_max_bytes(value: Any) -> Iterable[CheckMessage]:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        yield Error(
            f"EXPVAR_MAX_VALUE_BYTES must be a positive whole number of bytes, not {value!r}.",
            hint="Remove it for the default of 1 MiB (1048576).",
            id="expvar.E008",
        )


@register()
def check_declarations(**kwargs: Any) -> list[CheckMessage]:
    registry = get_registry()
    messages: list[CheckMessage] = []
    for name, declarations in registry.shared_names.items():
        who = ", ".join(f"{d.origin} (app {d.app.label!r})" for d in declarations)
        messages.append(
            Warning(
                f"The variable name {name!r} is declared {len(declarations)} times: {who}.",
                hint="Dicts under one name are merged and otherwise the first declaration wins; "
                "see the collisions panel or `manage.py expvar --list`. Rename one, or add "
                "expvar.W001 to SILENCED_SYSTEM_CHECKS if the merge is intended.",
                id="expvar.W001",
            )
        )
    for failure in registry.import_failures:
        messages.append(
            Warning(
                f"{failure.module} (app {failure.app.label!r}) could not be loaded: "
                f"{failure.error}. Its variables are not published.",
                hint="Fix the error; the traceback is logged on the 'expvar' logger and shown "
                "in the admin's errors panel.",
                id="expvar.W002",
            )
        )
    for problem in registry.problems:
        messages.append(Warning(problem.message, id="expvar.W003"))
    return messages
