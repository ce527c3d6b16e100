"""Turn the registry into what is published and a report of how each name was decided.

``resolve()`` is the one place where values are read, collisions decided and dicts merged; the
endpoint, the management command and the admin page all render its result.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from expvar.conf import get_config
from expvar.encoding import EncodingError, encode, go_layout
from expvar.evaluation import evaluator
from expvar.push.stores import current
from expvar.registry import (
    AppSource,
    Declaration,
    ImportFailure,
    Layout,
    Problem,
    Registry,
    get_registry,
)
from expvar.reports import (
    COLLISION,
    ERROR,
    MERGE,
    MERGED,
    OK,
    SHADOWED,
    Collision,
    KeyClash,
    KeyOrigin,
    Readings,
    VariableReport,
)


@dataclass(eq=False)
class Resolution:
    """Everything one read of the variables produced."""

    # What was read of each declaration, in publication order.
    readings: Readings
    # Each published name, as JSON too, its JSON text and its value, in output (sorted) order.
    entries: list[tuple[str, str, str, Any]]
    collisions: list[Collision]
    apps: Sequence[AppSource]
    import_failures: Sequence[ImportFailure]
    problems: Sequence[Problem]
    layout: Layout
    resolved_at: float
    duration: float

    def body(self) -> str:
        """Return the ``/debug/vars`` body, laid out as Go's expvar handler lays it out."""
        return go_layout((quoted, text) for _, quoted, text, _ in self.entries)

    @cached_property
    def published(self) -> dict[str, str]:
        """Map each published name to its JSON text, in output order."""
        return {name: text for name, _, text, _ in self.entries}

    @cached_property
    def variables(self) -> list[VariableReport]:
        """One report per declaration, in publication order."""
        return list(self.readings)

    @property
    def errors(self) -> list[VariableReport]:
        return [report for report in self.variables if report.failed]

    @cached_property
    def sources(self) -> dict[str, tuple[Declaration, ...]]:
        """Map each published name to the declarations its value comes from, first first."""
        decided = {collision.name: collision for collision in self.collisions}
        sources: dict[str, tuple[Declaration, ...]] = {}
        for name in self.published:
            collision = decided.get(name)
            if collision is None:
                sources[name] = tuple(self.layout.by_name[name])
            elif collision.rule == MERGE:
                sources[name] = tuple(r.declaration for r in collision.contenders if r.read_ok)
            elif collision.winner is not None:
                sources[name] = (collision.winner.declaration,)
        return sources


def resolve(registry: Registry | None = None) -> Resolution:
    """Read every variable once and decide what each name publishes."""
    registry = registry or get_registry()
    config = get_config()
    layout = registry.layout
    started = time.perf_counter()
    resolved_at = time.time()
    reports = evaluator.evaluate(
        layout.declarations, config.timeout, config.max_value_bytes, _in_place(layout)
    )
    return _decide_names(registry, layout, reports, resolved_at, started)


async def resolve_async(registry: Registry | None = None) -> Resolution:
    """``resolve()`` for async views: values are read without blocking the event loop."""
    registry = registry or get_registry()
    config = get_config()
    layout = registry.layout
    started = time.perf_counter()
    resolved_at = time.time()
    reports = await evaluator.evaluate_async(
        layout.declarations, config.timeout, config.max_value_bytes, _in_place(layout)
    )
    return _decide_names(registry, layout, reports, resolved_at, started)


def _in_place(layout: Layout) -> frozenset[int]:
    # Push variables of a local store are this process's memory: nothing there can hang.
    return layout.pushed if layout.pushed and current().in_memory else frozenset()


def _decide_names(
    registry: Registry,
    layout: Layout,
    readings: Readings,
    resolved_at: float,
    started: float,
) -> Resolution:
    max_bytes = get_config().max_value_bytes
    texts, values = readings.texts, readings.values
    entries: list[tuple[str, str, str, Any]] = []
    collisions: list[Collision] = []
    for name, quoted, positions in layout.plan:
        if len(positions) == 1:
            text = texts[positions[0]]
            if text is not None:
                entries.append((name, quoted, text, values[positions[0]]))
            continue
        collision = _decide(name, [readings[p] for p in positions], max_bytes)
        collisions.append(collision)
        if collision.rule == MERGE:
            if collision.merged_text is not None:
                entries.append((name, quoted, collision.merged_text, collision.merged))
        elif (winner := collision.winner) is not None and winner.text is not None:
            entries.append((name, quoted, winner.text, winner.value))
    return Resolution(
        readings=readings,
        entries=entries,
        collisions=collisions,
        apps=registry.apps,
        import_failures=registry.import_failures,
        problems=registry.problems,
        layout=layout,
        resolved_at=resolved_at,
        duration=time.perf_counter() - started,
    )


def _decide(name: str, contenders: list[VariableReport], max_bytes: int) -> Collision:
    answered = [report for report in contenders if report.status == OK]
    if answered and all(isinstance(report.value, dict) for report in answered):
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
        _merge_into(merged, report.value, report.declaration, (), owners, collision)
    if len(answered) > 1:
        for report in answered:
            report.status = MERGED
            report.note = f"merged into {name!r} with {len(answered) - 1} other(s)"
    try:
        collision.merged, collision.merged_text = encode(merged, max_bytes)
    except EncodingError as exc:
        for report in answered:
            report.status = ERROR
            report.note = f"the merged value of {name!r} cannot be published: {exc}"
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
                KeyClash(
                    key_path,
                    winner=_owner(owners, key_path),
                    loser=declaration,
                    winner_value=into[key],
                    loser_value=value,
                )
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
