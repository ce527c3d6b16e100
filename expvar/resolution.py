"""``resolve()``, the one place where values are read, dicts merged and collisions decided."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from expvar.conf import Config, get_config
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
        return [report for report in self.variables if not report.read_ok]

    @cached_property
    def sources(self) -> dict[str, tuple[Declaration, ...]]:
        """Map each published name to the declarations its value comes from, first first."""
        sources = {name: tuple(self.layout.by_name[name]) for name in self.published}
        for collision in self.collisions:
            name, winner = collision.name, collision.winner
            if name in sources and collision.rule == MERGE:
                sources[name] = tuple(r.declaration for r in collision.contenders if r.read_ok)
            elif name in sources and winner is not None:
                sources[name] = (winner.declaration,)
        return sources

    def by_app(self) -> list[tuple[AppSource, list[VariableReport]]]:
        """Group the reports by app, in the apps' order, leaving out apps without any."""
        by_label: dict[str, list[VariableReport]] = {}
        for report in self.variables:
            by_label.setdefault(report.app.label, []).append(report)
        return [(app, by_label[app.label]) for app in self.apps if app.label in by_label]


def resolve(registry: Registry | None = None) -> Resolution:
    """Read every variable once and decide what each name publishes."""
    started, resolved_at = time.perf_counter(), time.time()
    registry = registry or get_registry()
    layout, config = registry.layout, get_config()
    readings = evaluator.evaluate(layout.declarations, config, _in_place(layout))
    return _decide_names(registry, layout, config, readings, resolved_at, started)


async def resolve_async(registry: Registry | None = None) -> Resolution:
    """``resolve()`` for async views: values are read without blocking the event loop."""
    started, resolved_at = time.perf_counter(), time.time()
    registry = registry or get_registry()
    layout, config = registry.layout, get_config()
    readings = await evaluator.evaluate_async(layout.declarations, config, _in_place(layout))
    return _decide_names(registry, layout, config, readings, resolved_at, started)


def _in_place(layout: Layout) -> frozenset[int]:
    # Push variables of a local store are this process's memory: nothing there can hang.
    return layout.pushed if layout.pushed and current().in_memory else frozenset()


def _decide_names(
    registry: Registry,
    layout: Layout,
    config: Config,
    readings: Readings,
    resolved_at: float,
    started: float,
) -> Resolution:
    max_bytes = config.max_value_bytes
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
            # The winner is whoever gave this key, or the dict holding it.
            given_at = key_path
            while given_at not in owners:
                given_at = given_at[:-1]
            clash = KeyClash(key_path, owners[given_at], declaration, into[key], value)
            collision.key_clashes.append(clash)


def _copy_dicts(value: Any) -> Any:
    # Merging writes into nested dicts, so they are copied; the variables' own values stay as
    # they returned them.
    if isinstance(value, dict):
        return {key: _copy_dicts(item) for key, item in value.items()}
    return value
