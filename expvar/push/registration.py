"""Push variables become declarations, like pull variables, with the declaring app as source.

A variable may be created before the app registry is ready (module import time, even in
settings.py) or after discovery (a module imported lazily). Every variable is remembered here;
``discover()`` attaches those created so far to the registry it builds, and one created later is
added to the live registry at once. A variable declared outside any installed app has the source
``project``, listed after the installed apps.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from expvar.registry import AppSource, Declaration, Registry

PROJECT_LABEL = "project"
KIND = "push"


class Declarable(Protocol):
    name: str
    module: str
    origin: str

    def value(self) -> Any: ...


_lock = threading.RLock()
_created: list[Declarable] = []
_prefetch: tuple[str, ...] | None = None


def prefetch_cells() -> tuple[str, ...]:
    """The store cells of every scalar push variable: read together, in one round trip."""
    global _prefetch
    cells = _prefetch
    if cells is None:
        with _lock:
            cells = _prefetch = tuple(
                cell for variable in _created for cell in getattr(variable, "prefetch", ())
            )
    return cells


def created(variable: Declarable) -> None:
    # Until discovery is imported there is no registry to add to, and importing it here would
    # import Django's app registry from settings.py.
    discovery = sys.modules.get("expvar.discovery")
    global _prefetch
    with _lock:
        _created.append(variable)
        _prefetch = None
        registry = discovery.current_registry() if discovery is not None else None
        if registry is not None:
            registry.add(_declarations(registry, [variable], _skipped()))


def attach(registry: Registry, skipped: Iterable[str]) -> None:
    """Add every push variable created so far to a registry being built."""
    with _lock:
        registry.add(_declarations(registry, list(_created), set(skipped)))


def forget(variables: Iterable[Declarable]) -> None:
    """Unpublish variables (tests that create their own use this to clean up)."""
    from expvar.discovery import current_registry
    from expvar.registry import Layout

    global _prefetch
    gone = {id(variable) for variable in variables}
    with _lock:
        _created[:] = [v for v in _created if id(v) not in gone]
        _prefetch = None
        registry = current_registry()
        if registry is not None:
            registry.layout = Layout.of(
                d
                for d in registry.declarations
                if id(getattr(d.read, "__self__", None)) not in gone
            )


def _declarations(
    registry: Registry, variables: list[Declarable], skipped: set[str]
) -> list[Declaration]:
    from django.apps import apps

    from expvar.registry import Declaration

    next_position: dict[AppSource, int] = {}
    declarations = []
    local = _store_is_local()
    for variable in variables:
        config = apps.get_containing_app_config(variable.module)
        if config is None:
            source = _project_source(registry)
        elif config.name in skipped or config.label in skipped:
            continue
        else:
            found = [app for app in registry.apps if app.label == config.label]
            if not found:
                continue  # a registry built for some apps only
            source = found[0]
        if source not in next_position:
            next_position[source] = 1 + max(
                (d.position for d in registry.declarations if d.app == source), default=-1
            )
        declarations.append(
            Declaration(
                name=variable.name,
                app=source,
                origin=variable.origin,
                position=next_position[source],
                read=variable.value,
                variable=variable,
                kind=KIND,
                # A local read is a dict lookup under a short lock; a shared store's is a network
                # round trip, read by the worker that enforces EXPVAR_TIMEOUT.
                never_blocks=local,
            )
        )
        next_position[source] += 1
    return declarations


def _project_source(registry: Registry) -> AppSource:
    from expvar.registry import AppSource

    for app in registry.apps:
        if app.label == PROJECT_LABEL and app.name == PROJECT_LABEL:
            return app
    source = AppSource(
        label=PROJECT_LABEL,
        name=PROJECT_LABEL,
        verbose_name="Project",
        index=max((app.index for app in registry.apps), default=-1) + 1,
    )
    registry.apps.append(source)
    return source


def _skipped() -> set[str]:
    from expvar.conf import settings

    value = settings.SKIP
    if isinstance(value, (list, tuple)):
        return {entry for entry in value if isinstance(entry, str)}
    return set()


def _store_is_local() -> bool:
    from expvar.conf import settings
    from expvar.push.config import LOCAL, parse

    config, _ = parse(settings.STORE)
    return config is None or config.backend == LOCAL
