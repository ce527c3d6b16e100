"""Template filters for what only the dashboard needs of a report: a DOM id and shown HTML."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

from expvar.dashboard.context import format_duration
from expvar.dashboard.rows import ROW_ID_PREFIX, digest
from expvar.dashboard.values import ShownValue, show
from expvar.reports import Collision, KeyClash, KeyOrigin, VariableReport

register = template.Library()
register.filter("expvar_duration", format_duration)


@register.filter
def expvar_row_id(report: VariableReport) -> str:
    """Return the row's DOM id: stable across refreshes, whatever characters the name holds."""
    d = report.declaration
    return ROW_ID_PREFIX + digest(f"{d.app.label}\0{d.origin}\0{d.name}\0{d.position}", 6).hex()


@register.filter
def expvar_collision_id(name: str) -> str:
    """Return the DOM id of a shared name's entry in the collisions panel."""
    return "expvar-c-" + digest(name, 6).hex()


@register.filter
def expvar_shown(
    report: VariableReport, open_rows: frozenset[str] | None = None
) -> ShownValue | None:
    """Return the report's value as shown, or None if it was not read; given the open rows,
    a folded long value is shown as plain text, without its leaves."""
    if report.text is None:
        return None
    leaves = open_rows is None or expvar_row_id(report) in open_rows
    return show(report.text, report.name, leaves=leaves)


@register.filter
def expvar_merged_shown(collision: Collision) -> ShownValue | None:
    """Return a merge's published value as the dashboard shows it."""
    return None if collision.merged_text is None else show(collision.merged_text, collision.name)


@dataclass(frozen=True)
class MergedKey:
    """One key of a merged dict: who gave it, its value, and any value it won over."""

    path: str
    origin: KeyOrigin
    value: str
    clashes: list[KeyClash]


@register.filter
def expvar_merged_keys(collision: Collision) -> list[MergedKey]:
    """List a merge's keys with their source, value and clashes, in the merged dict's order."""
    given = {origin.path for origin in collision.key_origins}
    clashes: dict[tuple[str, ...], list[KeyClash]] = {}
    for clash in collision.key_clashes:
        # A clash deep inside a dict one app gave whole is listed under that dict's key.
        path = clash.path
        while path and path not in given:
            path = path[:-1]
        clashes.setdefault(path, []).append(clash)
    keys = []
    for origin in collision.key_origins:
        value = collision.merged
        for key in origin.path:
            value = value.get(key) if isinstance(value, dict) else None
        dotted = ".".join(origin.path)
        keys.append(MergedKey(dotted, origin, expvar_json(value), clashes.get(origin.path, [])))
    return keys


@register.filter
def expvar_json(value: Any) -> str:
    """Return ``value`` as compact JSON text."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


@register.filter
def expvar_collision_of(name: str, shared: dict[str, Collision]) -> Collision | None:
    """Return the collision of a name declared more than once, or None."""
    return shared.get(name)


@register.filter
def expvar_breakable(dotted: str) -> SafeString:
    """Escape a dotted path and let it wrap after each dot."""
    return SafeString(escape(dotted).replace(".", ".<wbr>"))
