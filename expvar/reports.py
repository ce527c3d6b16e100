"""What one read of the variables reports: per declaration, and per name declared twice."""

from __future__ import annotations

import traceback as tracebacks
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from expvar.encoding import value_kind
from expvar.registry import AppSource, Declaration

OK = "ok"
ERROR = "error"
TIMEOUT = "timeout"
SHADOWED = "shadowed"
MERGED = "merged"
STATUS_LABELS = {OK: OK, ERROR: ERROR, TIMEOUT: "timed out", SHADOWED: SHADOWED, MERGED: MERGED}

MERGE = "merge"
COLLISION = "collision"


def describe(exc: BaseException) -> str:
    """Name an exception and its message, even when its ``__str__`` raises."""
    try:
        message = str(exc)
    except BaseException:  # a variable's exception may be as broken as the variable
        message = f"<{type(exc).__name__}.__str__ raised too>"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


@dataclass(eq=False, slots=True)
class VariableReport:
    """One declaration's part in a read: its value or why it has none, and its fate by name."""

    declaration: Declaration
    status: str
    value: Any = None
    # The value as compact JSON, as published.
    text: str | None = None
    error: str | None = None
    exception: BaseException | None = None
    duration: float = 0.0
    cached: bool = False
    note: str = ""

    @property
    def name(self) -> str:
        return self.declaration.name

    @property
    def app(self) -> AppSource:
        return self.declaration.app

    @property
    def origin(self) -> str:
        return self.declaration.origin

    @property
    def read_ok(self) -> bool:
        """True if the value was read (whatever the name rules then did with it)."""
        return self.text is not None

    @property
    def kind(self) -> str:
        return value_kind(self.value) if self.read_ok else ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def traceback(self) -> str | None:
        # Formatted on demand: only the admin's errors panel and the log show it.
        if self.exception is None:
            return None
        return "".join(tracebacks.format_exception(self.exception))


@dataclass(frozen=True)
class KeyOrigin:
    """Which declaration gave one key of a merged dict."""

    path: tuple[str, ...]
    declaration: Declaration


@dataclass(frozen=True)
class KeyClash:
    """Two dicts under one name gave one key a non-dict value; the first one stands."""

    path: tuple[str, ...]
    winner: Declaration
    loser: Declaration
    winner_value: Any
    loser_value: Any


@dataclass(eq=False)
class Collision:
    """A name declared more than once: its contenders and how the name was decided."""

    name: str
    rule: str
    contenders: list[VariableReport]
    winner: VariableReport | None = None
    merged: Any = None
    merged_text: str | None = None
    key_origins: list[KeyOrigin] = field(default_factory=list)
    key_clashes: list[KeyClash] = field(default_factory=list)


class Readings:
    """What one read of ``declarations`` found, column by column, in their order.

    Columns, not a report object per variable: the endpoint needs only the texts, and the
    dashboard and the command ask for reports (by index) when they show them.
    """

    __slots__ = ("_reports", "cached", "declarations", "durations", "failures", "texts", "values")

    def __init__(self, declarations: Sequence[Declaration]) -> None:
        count = len(declarations)
        self.declarations = declarations
        self.values: list[Any] = [None] * count
        # Each value as compact JSON, as published; None where there is none (see failures).
        self.texts: list[str | None] = [None] * count
        # None until the read has ended, one way or the other.
        self.durations: list[float | None] = [None] * count
        self.failures: dict[int, VariableReport] = {}
        self.cached: set[int] = set()
        self._reports: dict[int, VariableReport] = {}

    def __iter__(self) -> Iterator[VariableReport]:
        return map(self.__getitem__, range(len(self.declarations)))

    def __getitem__(self, at: int) -> VariableReport:
        report = self._reports.get(at) or self.failures.get(at)
        if report is None:
            declaration, duration = self.declarations[at], self.durations[at]
            if duration is None:  # only if the thread reading it failed itself
                report = VariableReport(declaration, ERROR, error="not read: its reader failed")
            else:
                text, cached = self.texts[at], at in self.cached
                report = VariableReport(
                    declaration, OK, self.values[at], text, duration=duration, cached=cached
                )
        self._reports[at] = report
        return report

    def copy_to(self, into: Readings, positions: Sequence[int]) -> None:
        """Put these readings into ``into``, the first at ``positions[0]`` and so on."""
        for at, position in enumerate(positions):
            self.copy_one(at, into, position)

    def copy_one(self, at: int, into: Readings, position: int) -> None:
        into.values[position] = self.values[at]
        into.texts[position] = self.texts[at]
        into.durations[position] = self.durations[at]
        if at in self.failures:
            into.failures[position] = self.failures[at]
        if at in self.cached:
            into.cached.add(position)
