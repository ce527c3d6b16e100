"""What discovery found: every declared variable with its source, and every failed import.

The registry is built once at start-up and never changes while requests are served, so the
grouping of declarations by name is computed here, once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from expvar.encoding import quote_name


@dataclass(frozen=True)
class AppSource:
    """The installed app a variable comes from."""

    label: str
    name: str
    verbose_name: str
    index: int


@dataclass(eq=False)
class Declaration:
    """One variable as declared by one app: where it comes from and how to read it."""

    name: str
    app: AppSource
    origin: str
    position: int
    read: Callable[[], Any]
    cache_ttl: float | None = None
    kind: str = "pull"
    # Read on the request thread, without the hand-off that enforces EXPVAR_TIMEOUT.
    never_blocks: bool = False
    # The object that declared it: the ExpVar instance, or the push variable.
    variable: object = None

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.app.index, self.position)


@dataclass(frozen=True)
class ImportFailure:
    """An app's ``vars.py`` (or one class in it) that could not be loaded."""

    app: AppSource
    module: str
    error: str
    traceback: str


@dataclass(frozen=True)
class Problem:
    """A declaration that was skipped, with the reason a user can act on."""

    app: AppSource
    origin: str
    message: str


@dataclass(frozen=True)
class Layout:
    """The declarations at one moment, grouped and ordered for publication.

    Built whole and swapped in whole, so a request that read one sees a consistent set even while
    push variables are being added.
    """

    declarations: tuple[Declaration, ...]
    by_name: dict[str, list[Declaration]]
    # Per name, in output order: the name, the name as JSON, and the positions of its
    # declarations, so a request needs no lookups to assemble the body.
    plan: list[tuple[str, str, tuple[int, ...]]]

    @classmethod
    def of(cls, declarations: Iterable[Declaration]) -> Layout:
        ordered = tuple(sorted(declarations, key=lambda d: d.sort_key))
        by_name: dict[str, list[Declaration]] = {}
        for declaration in ordered:
            by_name.setdefault(declaration.name, []).append(declaration)
        position = {id(declaration): index for index, declaration in enumerate(ordered)}
        plan = [
            (name, quote_name(name), tuple(position[id(d)] for d in by_name[name]))
            for name in sorted(by_name)
        ]
        return cls(ordered, by_name, plan)


class Registry:
    """What discovery found: the current layout, plus what went wrong finding it."""

    def __init__(
        self,
        declarations: Iterable[Declaration] = (),
        import_failures: Iterable[ImportFailure] = (),
        problems: Iterable[Problem] = (),
        apps: Iterable[AppSource] = (),
    ) -> None:
        self.layout = Layout.of(declarations)
        self.import_failures = list(import_failures)
        self.problems = list(problems)
        self.apps = list(apps)
        self._lock = threading.Lock()

    def add(self, declarations: Iterable[Declaration]) -> None:
        """Add declarations made after discovery (push variables)."""
        with self._lock:
            self.layout = Layout.of([*self.layout.declarations, *declarations])

    @property
    def declarations(self) -> tuple[Declaration, ...]:
        return self.layout.declarations

    @property
    def by_name(self) -> dict[str, list[Declaration]]:
        return self.layout.by_name

    @property
    def shared_names(self) -> dict[str, list[Declaration]]:
        return {name: decls for name, decls in self.by_name.items() if len(decls) > 1}
