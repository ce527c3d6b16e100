"""Template filters for what only the dashboard needs of a report: DOM ids and shown values."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

from expvar.dashboard.context import format_duration
from expvar.dashboard.live import digest, row_id
from expvar.dashboard.values import show
from expvar.encoding import EncodingError, encode
from expvar.reports import Collision, KeyClash, KeyOrigin

register = template.Library()
register.filter("expvar_duration", format_duration)
register.filter("expvar_row_id", row_id)
register.filter("expvar_show", show)


@register.filter
def expvar_collision_id(name: str) -> str:
    """Return the DOM id of a shared name's entry in the collisions panel."""
    return "expvar-c-" + digest(name, 6).hex()


@register.filter
def expvar_json(value: Any) -> str:
    """Return a value as read as the compact JSON /debug/vars would give it, else its repr."""
    # A value keeps what JSON holds only converted (a Decimal, a date, a set) as it was read.
    try:
        return encode(value, sys.maxsize)[1]
    except EncodingError:
        return repr(value)


@register.filter
def expvar_breakable(dotted: str) -> SafeString:
    """Escape a dotted path and let it wrap after each dot."""
    return SafeString(escape(dotted).replace(".", ".<wbr>"))


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
