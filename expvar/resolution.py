"""Turn the registry into what is published and a report of how each name was decided.

``resolve()`` is the one place where values are read, collisions decided and dicts merged; the
endpoint, the management command and the admin page all render its result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from expvar.conf import (
    DEFAULT_MAX_VALUE_BYTES,
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
    settings,
    usable_seconds,
)
from expvar.discovery import get_registry
from expvar.encoding import EncodingError, encode, go_layout, value_kind
from expvar.evaluation import ERROR, OK, TIMEOUT, Outcome, Readings, evaluator
from expvar.registry import AppSource, Declaration, ImportFailure, Problem, Registry

SHADOWED = "shadowed"
MERGED = "merged"
STATUSES = (OK, ERROR, TIMEOUT, SHADOWED, MERGED)
STATUS_LABELS = {
    OK: "ok",
    ERROR: "error",
    TIMEOUT: "timed out",
    SHADOWED: "shadowed",
    MERGED: "merged",
}

MERGE = "merge"
COLLISION = "collision"


@dataclass(eq=False)
class VariableReport:
    """One declaration's part in the result: its outcome and its fate under the name rules."""

    declaration: Declaration
    outcome: Outcome
    status: str
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
    def kind(self) -> str:
        return value_kind(self.outcome.value) if self.outcome.status == OK else ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def duration(self) -> float:
        return self.outcome.duration

    @property
    def error(self) -> str | None:
        return self.outcome.error

    @property
    def failed(self) -> bool:
        return self.outcome.status in (ERROR, TIMEOUT)


@dataclass(frozen=True)
class KeyOrigin:
    """Which declaration gave one key of a merged dict."""

    path: tuple[str, ...]
    declaration: Declaration


@dataclass(frozen=True)
class KeyClash:
    """Two dicts under one name gave the same key a non-dict value; the first one stands."""

    path: tuple[str, ...]
    winner: Declaration
    loser: Declaration


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


class Resolution:
    """Everything one read of the variables produced.

    The endpoint needs only ``body()``; the per-variable reports the command and the admin page
    show are built on first use, so a poll pays nothing for them.
    """

    def __init__(
        self,
        registry: Registry,
        declarations: tuple[Declaration, ...],
        readings: Readings,
        entries: list[tuple[str, str, str]],
        collisions: list[Collision],
        contender_reports: dict[Declaration, VariableReport],
        resolved_at: float,
        duration: float,
    ) -> None:
        self._declarations = declarations
        self._readings = readings
        self._entries = entries
        self._contender_reports = contender_reports
        self.collisions = collisions
        self.import_failures: list[ImportFailure] = list(registry.import_failures)
        self.problems: list[Problem] = list(registry.problems)
        self.apps: list[AppSource] = list(registry.apps)
        self.resolved_at = resolved_at
        self.duration = duration

    def body(self) -> str:
        """Return the ``/debug/vars`` body, laid out as Go's expvar handler lays it out."""
        return go_layout([(quoted, text) for _, quoted, text in self._entries])

    @cached_property
    def published(self) -> dict[str, str]:
        """Map each published name to its JSON text, in output order."""
        return {name: text for name, _, text in self._entries}

    @cached_property
    def sources(self) -> dict[str, tuple[Declaration, ...]]:
        """Map each published name to the declarations its value comes from, first first."""
        by_name = {collision.name: collision for collision in self.collisions}
        sources: dict[str, tuple[Declaration, ...]] = {}
        for name in self.published:
            collision = by_name.get(name)
            if collision is None:
                sources[name] = tuple(d for d in self._declarations if d.name == name)
            elif collision.rule == MERGE:
                sources[name] = tuple(
                    r.declaration for r in collision.contenders if r.outcome.status == OK
                )
            else:
                sources[name] = (collision.winner.declaration,) if collision.winner else ()
        return sources

    @cached_property
    def variables(self) -> list[VariableReport]:
        """One report per declaration, in publication order."""
        known = self._contender_reports
        return [
            known.get(declaration) or VariableReport(declaration, outcome, outcome.status)
            for declaration, outcome in zip(
                self._declarations, self._readings.outcomes(), strict=True
            )
        ]

    @property
    def errors(self) -> list[VariableReport]:
        return [report for report in self.variables if report.failed]


def resolve(registry: Registry | None = None) -> Resolution:
    """Read every variable once and decide what each name publishes."""
    registry = registry or get_registry()
    started = time.perf_counter()
    resolved_at = time.time()
    max_bytes = _max_bytes()
    layout = registry.layout
    declarations = layout.declarations
    readings = evaluator.evaluate(declarations, _timeout(), max_bytes)
    texts = readings.texts
    entries: list[tuple[str, str, str]] = []
    collisions: list[Collision] = []
    contender_reports: dict[Declaration, VariableReport] = {}
    for name, quoted, positions in layout.plan:
        if len(positions) == 1:
            text = texts[positions[0]]
        else:
            contenders = []
            for position in positions:
                declaration, outcome = declarations[position], readings[position]
                report = VariableReport(declaration, outcome, outcome.status)
                contender_reports[declaration] = report
                contenders.append(report)
            collision = _decide(name, contenders, max_bytes)
            collisions.append(collision)
            text = _published_text(collision)
        if text is not None:
            entries.append((name, quoted, text))
    return Resolution(
        registry,
        declarations,
        readings,
        entries,
        collisions,
        contender_reports,
        resolved_at,
        time.perf_counter() - started,
    )


def _decide(name: str, contenders: list[VariableReport], max_bytes: int) -> Collision:
    answered = [report for report in contenders if report.outcome.status == OK]
    all_dicts = all(isinstance(report.outcome.value, dict) for report in answered)
    if answered and all_dicts:
        return _merge(name, contenders, answered, max_bytes)
    collision = Collision(name=name, rule=COLLISION, contenders=contenders)
    if answered:
        winner = collision.winner = answered[0]
        for report in answered[1:]:
            report.status = SHADOWED
            report.note = f"shadowed by {winner.origin} ({winner.app.label})"
    return collision


def _merge(
    name: str, contenders: list[VariableReport], answered: list[VariableReport], max_bytes: int
) -> Collision:
    collision = Collision(name=name, rule=MERGE, contenders=contenders)
    merged: dict[Any, Any] = {}
    owners: dict[tuple[str, ...], Declaration] = {}
    for report in answered:
        _merge_into(merged, report.outcome.value, report.declaration, (), owners, collision)
    collision.merged = merged
    if len(answered) > 1:
        for report in answered:
            report.status = MERGED
            report.note = f"merged into {name!r} with {len(answered) - 1} other(s)"
    try:
        _, text = encode(merged, max_bytes)
    except EncodingError as exc:
        for report in answered:
            report.status = ERROR
            report.note = f"the merged value of {name!r} cannot be published: {exc}"
        collision.merged = None
        return collision
    collision.merged_text = text
    return collision


def _merge_into(
    into: dict[Any, Any],
    source: dict[Any, Any],
    declaration: Declaration,
    path: tuple[str, ...],
    owners: dict[tuple[str, ...], Declaration],
    collision: Collision,
) -> None:
    for key, value in source.items():
        key_path = (*path, str(key))
        if key not in into:
            into[key] = _copy_dicts(value)
            owners[key_path] = declaration
            collision.key_origins.append(KeyOrigin(key_path, declaration))
        elif isinstance(into[key], dict) and isinstance(value, dict):
            _merge_into(into[key], value, declaration, key_path, owners, collision)
        else:
            collision.key_clashes.append(
                KeyClash(key_path, winner=_owner(owners, key_path), loser=declaration)
            )


def _owner(owners: dict[tuple[str, ...], Declaration], path: tuple[str, ...]) -> Declaration:
    while path not in owners:
        path = path[:-1]
    return owners[path]


def _copy_dicts(value: Any) -> Any:
    # Merging writes into nested dicts, so they are copied; the variables' own values stay as
    # they returned them.
    if isinstance(value, dict):
        return {key: _copy_dicts(item) for key, item in value.items()}
    return value


def _published_text(collision: Collision) -> str | None:
    if collision.rule == MERGE:
        return collision.merged_text
    if collision.winner is not None:
        return collision.winner.outcome.encoded
    return None


def _timeout() -> float | None:
    value = settings.TIMEOUT
    if value is None:
        return None
    return usable_seconds(value, DEFAULT_TIMEOUT, MAX_TIMEOUT)


def _max_bytes() -> int:
    value = settings.MAX_VALUE_BYTES
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return DEFAULT_MAX_VALUE_BYTES
