"""Show one published value as HTML whose text is its indented JSON (``JSON.parse`` of the
element's text gives it back): dict leaves carry their path, for the script's sparklines and
monitor paths, and a number whose name tells its unit is also said readably."""

from __future__ import annotations

import functools
import json
import re
import sys
from dataclasses import dataclass
from html import escape
from json.encoder import encode_basestring
from typing import Any

from django.utils.safestring import SafeString

# Longer than this (in lines of pretty JSON, or characters of compact JSON) starts collapsed.
LONG_LINES = 8
LONG_CHARS = 160
PREVIEW_CHARS = 96


@dataclass(frozen=True)
class ShownValue:
    html: SafeString
    preview: str
    long: bool = False
    size: str = ""
    # A number whose name says its unit, said readably ("3.9 MiB"), and that unit.
    human: str = ""
    unit: str = ""
    # A long value rendered as plain JSON text, its leaves left for when it is opened.
    plain: bool = False


def show(text: str | None, name: str = "", *, leaves: bool = True) -> ShownValue | None:
    """Render a value from its published JSON text (None: nothing was read); ``name`` may tell
    a number's unit. ``leaves=False`` renders a long value as plain text, without its leaves."""
    if text is None:
        return None
    if text[:1] not in "{[" and len(text) <= LONG_CHARS:
        # A short scalar is its own JSON text: no parsing, no paths (the common case).
        unit = unit_of(name) if name and text[:1] in "-0123456789" else None
        human = readable(float(text), unit) if unit else ""
        return ShownValue(SafeString(escape(text, quote=False)), text, human=human, unit=unit or "")
    value = json.loads(text)
    # Past LONG_CHARS a value is long whatever its lines, so its leaves may be left out at once.
    plain = not leaves and len(text) > LONG_CHARS
    html = _render(value, None if plain else "[", "", name, marked=not plain)
    long = len(text) > LONG_CHARS or html.count("\n") >= LONG_LINES
    preview = text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
    return ShownValue(SafeString(html), preview, long, _size(value), plain=plain)


def _render(value: Any, path: str | None, indent: str, parent: str, *, marked: bool) -> str:
    # ``path`` is the JSON array of the keys so far, open at its end ("[" or '["a",'). It is
    # None inside lists: an item there has no expvarmon or Datadog path worth charting, and
    # marking each item of a 256-entry ring would bloat every refresh. ``marked=False`` leaves
    # the keys unmarked too: the text alone.
    inner = indent + "  "
    if isinstance(value, dict) and value:
        lines = []
        for key, item in value.items():
            quoted = encode_basestring(key)
            label = escape(quoted, quote=False)
            if marked:
                label = f'<span class="expvar-key">{label}</span>'
            if path is None or isinstance(item, (dict, list)):
                deeper = None if path is None else f"{path}{quoted},"
                shown = _render(item, deeper, inner, key, marked=marked)
            else:
                # A focusable button-like span: the leaf opens its monitor paths and its chart
                # by keyboard too. Its text stays the JSON; CSS draws a readable unit beside it.
                number = isinstance(item, (int, float)) and not isinstance(item, bool)
                unit = unit_of(key, parent) if number else None
                human = ""
                if unit:
                    human = f' data-expvar-human="{escape(readable(item, unit))}" title="in {unit}"'
                shown = (
                    f'<span class="expvar-leaf" tabindex="0" role="button" data-expvar-path='
                    f'"{escape(path + quoted)}]"{human}>{_scalar(item)}</span>'
                )
            lines.append(f"\n{inner}{label}: {shown}")
        return "{" + ",".join(lines) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        items = [f"\n{inner}{_render(item, None, inner, '', marked=marked)}" for item in value]
        return "[" + ",".join(items) + f"\n{indent}]"
    if isinstance(value, list):
        return "[" + ", ".join(map(_scalar, value)) + "]"
    return "{}" if isinstance(value, dict) else _scalar(value)


def _scalar(value: Any) -> str:
    # The text json.dumps gives for what json.loads yields, without an encoder call per leaf
    # (most of an open value's cost). Element text needs only &, < and > escaped.
    if isinstance(value, str):
        return escape(encode_basestring(value), quote=False)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return repr(value)


def _size(value: Any) -> str:
    for kind, noun in ((dict, "key"), (list, "item"), (str, "character")):
        if isinstance(value, kind):
            return f"{len(value):,} {noun}{'s' if len(value) != 1 else ''}"
    return ""


# Go's runtime.MemStats fields that count bytes (the ones expvar.contrib.memstats publishes).
MEMSTATS_BYTES = frozenset([
    "Alloc", "TotalAlloc", "Sys", "HeapAlloc", "HeapSys", "HeapIdle", "HeapInuse", "HeapReleased",
    "StackInuse", "StackSys", "MSpanInuse", "MSpanSys", "MCacheInuse", "MCacheSys", "BuckHashSys",
    "GCSys", "OtherSys", "NextGC",
])  # fmt: skip
_BYTES_NAME = re.compile(r"(?:^|_)bytes$|[a-z]Bytes$|(?:^|_)rss$", re.IGNORECASE)
_NS_NAME = re.compile(r"(?:^|_)ns$|[a-z]Ns$")
_SECONDS_NAME = re.compile(r"(?:^|_)(?:seconds|secs)$|^[us]time$|^latency$")
# Under a "latency" key, these are durations in seconds (expvar.contrib.http's histogram).
_LATENCY_FIGURES = frozenset(
    ["sum", "mean", "avg", "min", "max", "p50", "p75", "p90", "p95", "p99", "p999"]
)
# getrusage's ru_maxrss is in KiB on Linux, in bytes on macOS.
_MAXRSS = "bytes" if sys.platform == "darwin" else "KiB"


@functools.lru_cache(maxsize=4096)
def unit_of(key: str, parent: str = "") -> str | None:
    """Return the unit a number named ``key`` (inside ``parent``) counts in, if its name says."""
    if key == "maxrss":
        return _MAXRSS
    if key in MEMSTATS_BYTES or _BYTES_NAME.search(key):
        return "bytes"
    if _NS_NAME.search(key):
        return "ns"
    if _SECONDS_NAME.search(key) or (parent == "latency" and key in _LATENCY_FIGURES):
        return "s"
    return None


def readable(value: float, unit: str) -> str:
    """Say ``value`` (counted in ``unit``) in the largest unit that keeps it above one."""
    if unit not in ("bytes", "KiB"):
        return _duration(value / 1e9 if unit == "ns" else value)
    if unit == "KiB":
        value *= 1024
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
    step = 0
    while abs(value) >= 1024 and step < len(units) - 1:
        value /= 1024
        step += 1
    return f"{value:.0f} B" if step == 0 else f"{value:.1f} {units[step]}"


def _duration(seconds: float) -> str:
    size = abs(seconds)
    if size == 0:
        return "0 s"
    if size < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if size < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if size < 1:
        return f"{seconds * 1e3:.1f} ms"
    if size < 120:
        return f"{seconds:.2f} s"
    if size < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
