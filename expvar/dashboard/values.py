"""Show one published value as HTML: pretty JSON whose dict leaves carry their path.

The text of the HTML is the value as indented JSON, so ``JSON.parse(element.textContent)`` in
the browser gives the value back; the spans around dict leaves let the dashboard script draw a
sparkline beside each number and offer the expvarmon and Datadog paths of any leaf.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from json.encoder import encode_basestring
from typing import Any

from django.utils.safestring import SafeString

from expvar.dashboard.units import readable, unit_of

# Longer than this (in lines of pretty JSON, or characters of compact JSON) starts collapsed.
LONG_LINES = 8
LONG_CHARS = 160
PREVIEW_CHARS = 96


@dataclass(frozen=True)
class ShownValue:
    html: SafeString
    preview: str
    long: bool
    size: str
    # A number whose name says its unit, said readably ("3.9 MiB"), and that unit.
    human: str = ""
    unit: str = ""
    # A long value rendered as plain JSON text, its leaves left for when it is opened.
    plain: bool = False


def show(text: str, name: str = "", *, leaves: bool = True) -> ShownValue:
    """Render a value from its published JSON text; ``name`` may tell a number's unit.

    ``leaves=False`` renders a long value (one that starts folded) as its plain text: the same
    text, none of the marked-up leaves, which cost a folded value's page most of its weight.
    """
    if text[:1] not in "{[" and len(text) <= LONG_CHARS:
        # A short scalar is its own JSON text: no parsing, no paths (the common case).
        unit = unit_of(name) if name and text[:1] in "-0123456789" else None
        return ShownValue(
            html=SafeString(escape(text, quote=False)),
            preview=text,
            long=False,
            size="",
            human=readable(float(text), unit) if unit else "",
            unit=unit or "",
        )
    value = json.loads(text)
    # Past LONG_CHARS a value is long whatever its lines, so its leaves may be left out at once.
    plain = not leaves and len(text) > LONG_CHARS
    out: list[str] = []
    _render(value, None if plain else "[", "", out, name, marked=not plain)
    html = "".join(out)
    long = len(text) > LONG_CHARS or html.count("\n") >= LONG_LINES
    preview = text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
    return ShownValue(
        html=SafeString(html), preview=preview, long=long, size=_size(value), plain=plain
    )


def _render(
    value: Any,
    path: str | None,
    indent: str,
    out: list[str],
    parent: str = "",
    *,
    marked: bool = True,
) -> None:
    # ``path`` is the JSON array of the keys so far, as text without its closing bracket.
    # It is None inside lists: an item there has no expvarmon or Datadog path worth charting,
    # and marking each item of a 256-entry ring would bloat every refresh. ``marked=False``
    # leaves the keys unmarked too: the text alone.
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{\n")
        last = len(value) - 1
        for position, (key, item) in enumerate(value.items()):
            quoted = encode_basestring(key)
            shown = escape(quoted, quote=False)
            out.append(
                f'{inner}<span class="expvar-key">{shown}</span>: '
                if marked
                else f"{inner}{shown}: "
            )
            if path is None:
                _render(item, None, inner, out, key, marked=marked)
            else:
                key_path = f"{path}{quoted}" if path == "[" else f"{path},{quoted}"
                if isinstance(item, (dict, list)):
                    _render(item, key_path, inner, out, key)
                else:
                    out.append(_leaf(item, key_path, key, parent))
            out.append(",\n" if position < last else "\n")
        out.append(indent + "}")
    elif isinstance(value, list):
        if not any(isinstance(item, (dict, list)) for item in value):
            out.append("[" + ", ".join([_scalar(item) for item in value]) + "]")
            return
        inner = indent + "  "
        out.append("[\n")
        last = len(value) - 1
        for position, item in enumerate(value):
            out.append(inner)
            _render(item, None, inner, out, marked=marked)
            out.append(",\n" if position < last else "\n")
        out.append(indent + "]")
    else:
        out.append(_scalar(value))


def _leaf(item: Any, key_path: str, key: str, parent: str) -> str:
    # A focusable button-like span: the leaf opens its monitor paths and its chart by keyboard
    # too. Its text stays the JSON of the value; a readable unit is drawn beside it by CSS.
    unit = None
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        unit = unit_of(key, parent)
    human = f' data-expvar-human="{escape(readable(item, unit))}" title="in {unit}"' if unit else ""
    return (
        f'<span class="expvar-leaf" tabindex="0" role="button" '
        f'data-expvar-path="{escape(key_path)}]"{human}>{_scalar(item)}</span>'
    )


def _scalar(value: Any) -> str:
    # The same text a JSON encoder gives, without an encoder call per leaf: json.loads yields
    # only str, int, float (finite, as the value was published), bool and None. Element text
    # needs only &, < and > escaped; quotes stay and save bytes.
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return escape(encode_basestring(value), quote=False)
    if isinstance(value, int):
        return int.__repr__(value)
    return float.__repr__(value)


def _size(value: Any) -> str:
    if isinstance(value, dict):
        return f"{len(value):,} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return f"{len(value):,} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, str):
        return f"{len(value):,} character{'s' if len(value) != 1 else ''}"
    return ""
