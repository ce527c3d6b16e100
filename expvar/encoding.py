"""Strict JSON (RFC 8259) for variable values, and Go's ``/debug/vars`` layout for the body."""

from __future__ import annotations

import datetime
import json
import math
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any


class EncodingError(Exception):
    """A value that cannot be published as strict JSON."""


def _convert(obj: Any) -> Any:
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            return None
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, (set, frozenset)):
        try:
            return sorted(obj)
        except TypeError:
            return list(obj)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return bytes(obj).decode("utf-8", errors="replace")
    if isinstance(obj, datetime.timedelta):
        return obj.total_seconds()
    raise TypeError(f"{type(obj).__module__}.{type(obj).__qualname__} is not JSON serializable")


_encoder = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_convert
)


def encode(value: Any, max_bytes: int) -> tuple[Any, str]:
    """Return ``value`` as strict JSON: the JSON-safe value and its compact text. Raise
    EncodingError for what JSON cannot hold, a reference cycle, or text over ``max_bytes``."""
    if type(value) is int:  # most variables are counters: the encoder's path is slower
        text = repr(value)
        if len(text) > _LONGEST_NUMBER:
            _json_safe(value, (), set())
        if len(text) > max_bytes:
            raise _too_large(len(text), max_bytes)
        return value, text
    if isinstance(value, str) and len(value) > max_bytes:
        raise _too_large(len(value), max_bytes)  # before encoding a 50 MB string to say so
    try:
        text = _encoder.encode(value)
    except (ValueError, RecursionError):
        # Non-finite floats and reference cycles land here; the slow path tells them apart.
        try:
            value = _json_safe(value, (), set())
        except RecursionError:
            raise EncodingError("value is nested too deeply to encode as JSON") from None
        text = _encoder.encode(value)
    except TypeError as exc:
        raise EncodingError(f"cannot encode as JSON: {exc}") from None
    if len(text) > _LONGEST_NUMBER and _DIGITS.search(text):
        # The digits may be inside a string: look closer, at what is published (a Decimal or
        # a set is converted on the way, so the value as read would not show them).
        _json_safe(json.loads(text), (), set())
    if len(text) * 4 > max_bytes and len(text.encode()) > max_bytes:
        raise _too_large(len(text.encode()), max_bytes)
    return value, text


# Go's decoder, and the monitors built on it, read numbers as float64: an integer beyond its
# range (about 1.8e308, 309 digits) makes them reject the whole body, not just the variable.
_LONGEST_NUMBER = 309
_DIGITS = re.compile(r"\d{309}")
_DOUBLE_LIMIT = 2**1024


def _too_large(size: int, max_bytes: int) -> EncodingError:
    return EncodingError(
        f"value is {size:,} bytes as JSON, over the {max_bytes:,}-byte limit "
        "(EXPVAR_MAX_VALUE_BYTES)"
    )


def _json_safe(value: Any, path: tuple[str, ...], active: set[int]) -> Any:
    """Return ``value`` as JSON can hold it (non-finite floats as null), or raise EncodingError."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, int):
        if not -_DOUBLE_LIMIT < value < _DOUBLE_LIMIT:
            raise EncodingError(
                f"the integer at {_where(path)} is beyond a double's range, which JSON readers "
                "such as Go's reject (publish it as a string)"
            )
        return value
    if isinstance(value, (dict, list, tuple)):
        if id(value) in active:
            raise EncodingError(
                f"value refers to itself at {_where(path)}; JSON cannot hold a cycle"
            )
        active.add(id(value))
        try:
            if isinstance(value, dict):
                return {k: _json_safe(item, (*path, str(k)), active) for k, item in value.items()}
            return [_json_safe(item, (*path, str(i)), active) for i, item in enumerate(value)]
        finally:
            active.discard(id(value))
    try:
        converted = _convert(value)
    except TypeError as exc:
        raise EncodingError(f"cannot encode as JSON at {_where(path)}: {exc}") from None
    return _json_safe(converted, path, active)


def _where(path: tuple[str, ...]) -> str:
    return ".".join(path) if path else "the top level"


def quote_name(name: str) -> str:
    """Return a variable name as a JSON string, as it stands before the colon in the body."""
    return json.dumps(name, ensure_ascii=False)


# Go's encoder escapes these so a body sniffed as HTML cannot run script; they can only occur
# inside JSON strings, so replacing them in the whole body is exact.
_GO_ESCAPES = {char: f"\\u{ord(char):04x}" for char in "<>&\u2028\u2029"}


def go_layout(entries: Iterable[tuple[str, str]]) -> str:
    """Lay out ``(quoted name, JSON text)`` pairs exactly as Go's expvar handler does."""
    body = "{\n" + ",\n".join(f"{name}: {text}" for name, text in entries) + "\n}\n"
    for raw, escaped in _GO_ESCAPES.items():
        if raw in body:
            body = body.replace(raw, escaped)
    return body


def value_kind(value: Any) -> str:
    """Name the JSON kind of a JSON-safe value, as the admin page and the command show it."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "dict"
    if value is None:
        return "null"
    return "list"
