from __future__ import annotations

from expvar.discovery import discover
from expvar.registry import AppSource, Declaration, Registry
from expvar.variables import ExpVar

LABEL = "dashboardapp"


def registry_with(*classes: type[ExpVar], installed: bool = True) -> Registry:
    """Return the installed apps' registry (or an empty one) plus these classes as one app."""
    registry = discover() if installed else Registry()
    app = AppSource(
        label=LABEL,
        name="tests.dashboardapp",
        verbose_name="Dashboard test app",
        index=len(registry.apps),
    )
    registry.apps.append(app)
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
                position=position,
                read=instance.value,
            )
        )
    registry.add(declarations)
    return registry
