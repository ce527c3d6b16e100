from __future__ import annotations

from dataclasses import replace

from expvar.discovery import discover
from expvar.registry import AppSource, Declaration, Discovery, Registry, get_registry
from expvar.variables import ExpVar

LABEL = "dashboardapp"


def registry_with(*classes: type[ExpVar], installed: bool = True) -> Registry:
    """Return the installed apps' registry (or an empty one) plus these classes as one app."""
    found = discover() if installed else Discovery()
    app = AppSource(
        label=LABEL,
        name="tests.dashboardapp",
        verbose_name="Dashboard test app",
        index=len(found.apps),
    )
    declarations = []
    for position, cls in enumerate(classes):
        instance = cls()
        name = instance.get_name()
        assert name is not None
        declarations.append(
            Declaration(
                name=name,
                app=app,
                origin=f"{cls.__module__}.{cls.__qualname__}",
                read=instance.value,
                variable=instance,
                position=position,
            )
        )
    found = replace(
        found, apps=(*found.apps, app), declarations=(*found.declarations, *declarations)
    )
    return Registry(found, pushed=get_registry().pushed if installed else ())
