"""The one registry of published variables, each with the app it comes from (Go's ``Publish``).

Discovery loads the pull variables of every app's ``vars.py`` into it at start-up; push
variables publish themselves when they are created, before or after that. Every change of what
is published builds a new ``Layout`` under the registry's lock and swaps it in whole, so a
request that took one sees a consistent set."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from expvar.encoding import quote_name

PULL = "pull"
PUSH = "push"
PROJECT_LABEL = "project"


@dataclass(frozen=True)
class AppSource:
    """The installed app a variable comes from."""

    label: str
    name: str
    verbose_name: str
    index: int


@dataclass(frozen=True, eq=False)
class Declaration:
    """One variable as declared by one app: where it comes from and how to read it."""

    name: str
    app: AppSource
    origin: str
    read: Callable[[], Any]
    # The object that declared it: the ExpVar instance, or the push variable.
    variable: object = None
    kind: str = PULL
    cache_ttl: float | None = None
    # ``value()`` is a coroutine function: async views await it on their event loop.
    is_async: bool = False
    # Within its app: pull variables in definition order, then push ones in creation order.
    position: int = 0


@dataclass(frozen=True)
class ImportFailure:
    """An app's ``vars.py`` (or one class in it) that could not be loaded."""

    app: AppSource
    module: str
    error: str
    traceback: str


@dataclass(frozen=True)
class Problem:
    """A declaration that was skipped or is doubtful, with the reason a user can act on."""

    app: AppSource
    origin: str
    message: str


@dataclass(frozen=True)
class Discovery:
    """What start-up found in the installed apps' ``vars.py`` modules."""

    apps: tuple[AppSource, ...] = ()
    declarations: tuple[Declaration, ...] = ()
    import_failures: tuple[ImportFailure, ...] = ()
    problems: tuple[Problem, ...] = ()
    skip: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Layout:
    """The declarations at one moment, in publication order and grouped by name."""

    declarations: tuple[Declaration, ...] = ()
    by_name: dict[str, list[Declaration]] = field(default_factory=dict)
    # Per name, in output order: the name, the name as JSON, and its declarations' positions.
    plan: tuple[tuple[str, str, tuple[int, ...]], ...] = ()
    # The positions of the push declarations.
    pushed: frozenset[int] = frozenset()

    @classmethod
    def of(cls, declarations: Iterable[Declaration]) -> Layout:
        ordered = tuple(sorted(declarations, key=lambda d: (d.app.index, d.kind, d.position)))
        by_name: dict[str, list[Declaration]] = {}
        positions: dict[str, list[int]] = {}
        for index, declaration in enumerate(ordered):
            by_name.setdefault(declaration.name, []).append(declaration)
            positions.setdefault(declaration.name, []).append(index)
        plan = tuple((name, quote_name(name), tuple(positions[name])) for name in sorted(positions))
        pushed = frozenset(index for index, d in enumerate(ordered) if d.kind == PUSH)
        return cls(ordered, by_name, plan, pushed)


class PushVariable(Protocol):
    name: str
    module: str
    origin: str

    def value(self) -> Any: ...


class Registry:
    """Every published variable: what discovery found, plus the push variables."""

    def __init__(
        self, discovery: Discovery | None = None, pushed: Iterable[PushVariable] = ()
    ) -> None:
        self._lock = threading.Lock()
        self._discovery = discovery
        # The push variables published so far, in creation order.
        self.pushed: tuple[PushVariable, ...] = tuple(pushed)
        self.apps: tuple[AppSource, ...] = ()
        self.import_failures: tuple[ImportFailure, ...] = ()
        self.problems: tuple[Problem, ...] = ()
        self.layout = Layout()
        with self._lock:
            self._rebuild()

    def load(self, discovery: Discovery) -> None:
        """Publish what discovery found, in place of anything it found before."""
        with self._lock:
            self._discovery = discovery
            self._rebuild()

    def publish(self, variable: PushVariable) -> None:
        """Publish a push variable under the app whose module created it."""
        with self._lock:
            self.pushed = (*self.pushed, variable)
            self._rebuild()

    def unpublish(self, variables: Iterable[object]) -> None:
        """Stop publishing push variables (tests that create their own clean up with this)."""
        gone = {id(variable) for variable in variables}
        with self._lock:
            self.pushed = tuple(v for v in self.pushed if id(v) not in gone)
            self._rebuild()

    def _rebuild(self) -> None:
        discovery = self._discovery
        if discovery is None:
            return  # before start-up no app is known: push variables wait to be published
        from django.apps import apps as django_apps  # here: `import expvar` needs no Django setup

        apps = list(discovery.apps)
        by_label = {app.label: app for app in apps}
        declarations = list(discovery.declarations)
        for position, variable in enumerate(self.pushed):
            config = django_apps.get_containing_app_config(variable.module)
            if config is None:
                # Created outside any installed app (settings.py, a script): listed last.
                if PROJECT_LABEL not in by_label:
                    index = max((app.index for app in apps), default=-1) + 1
                    apps.append(AppSource(PROJECT_LABEL, PROJECT_LABEL, "Project", index))
                    by_label[PROJECT_LABEL] = apps[-1]
                source = by_label[PROJECT_LABEL]
            elif config.label in by_label and not {config.name, config.label} & discovery.skip:
                source = by_label[config.label]
            else:
                continue  # a skipped app, or one left out of a discovery of some apps only
            declarations.append(
                Declaration(
                    name=variable.name,
                    app=source,
                    origin=variable.origin,
                    read=variable.value,
                    variable=variable,
                    kind=PUSH,
                    position=position,
                )
            )
        self.import_failures, self.problems = discovery.import_failures, discovery.problems
        self.apps = tuple(apps)
        self.layout = Layout.of(declarations)


_registry = Registry()


def get_registry() -> Registry:
    """Return the process-wide registry."""
    return _registry


def set_registry(registry: Registry) -> Registry:
    """Serve ``registry`` in place of the process-wide one (tests and benchmarks do this)."""
    global _registry
    _registry = registry
    return registry
