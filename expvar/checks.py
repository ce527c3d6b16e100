"""System checks: what parsing the settings found, and doubtful declarations."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Warning, register

from expvar.conf import get_config
from expvar.registry import get_registry


@register()
def check_settings(**kwargs: Any) -> list[CheckMessage]:
    config = get_config()
    messages = [issue.as_check() for issue in config.issues]
    known = {name for app in apps.get_app_configs() for name in (app.name, app.label)}
    for entry in sorted(config.skip - known):
        messages.append(
            Warning(
                f"EXPVAR_SKIP names {entry!r}, which is no installed app's name or label.",
                hint="Check the spelling against INSTALLED_APPS; this entry skips nothing.",
                id="expvar.W004",
            )
        )
    return messages


@register()
def check_declarations(**kwargs: Any) -> list[CheckMessage]:
    registry = get_registry()
    messages: list[CheckMessage] = []
    for name, declarations in registry.layout.by_name.items():
        if len(declarations) < 2:
            continue
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
    messages += [Warning(problem.message, id="expvar.W003") for problem in registry.problems]
    return messages
