"""What discovery found: every declared variable with its source, and every failed import.

The registry is built once at start-up and never changes while requests are served, so the
grouping of declarations by name is computed here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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


@dataclass
class Registry:
    """Declarations in publication order, grouped by name, plus what went wrong finding them."""

    declarations: list[Declaration] = field(default_factory=list)
    import_failures: list[ImportFailure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    apps: list[AppSource] = field(default_factory=list)
    by_name: dict[str, list[Declaration]] = field(init=False, default_factory=dict)
    sorted_names: list[str] = field(init=False, default_factory=list)
    quoted_names: dict[str, str] = field(init=False, default_factory=dict)
    # Per name, in output order: the name, the name as JSON, and the positions of its
    # declarations, so a request needs no lookups to assemble the body.
    plan: list[tuple[str, str, tuple[int, ...]]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self._index()

    def add(self, declarations: Iterable[Declaration]) -> None:
        """Add declarations made after discovery (push variables) and re-index."""
        self.declarations.extend(declarations)
        self._index()

    def _index(self) -> None:
        self.declarations.sort(key=lambda d: d.sort_key)
        by_name: dict[str, list[Declaration]] = {}
        for declaration in self.declarations:
            by_name.setdefault(declaration.name, []).append(declaration)
        self.by_name = by_name
        self.sorted_names = sorted(by_name)
        self.quoted_names = {name: quote_name(name) for name in self.sorted_names}
        position = {id(declaration): index for index, declaration in enumerate(self.declarations)}
        self.plan = [
            (name, self.quoted_names[name], tuple(position[id(d)] for d in by_name[name]))
            for name in self.sorted_names
        ]

    @property
    def shared_names(self) -> dict[str, list[Declaration]]:
        return {name: decls for name, decls in self.by_name.items() if len(decls) > 1}
