"""Prometheus' naming rules: metric names ``[a-zA-Z_][a-zA-Z0-9_]*``, label names likewise."""

from __future__ import annotations

import re

PREFIX = "expvar_"
_INVALID = re.compile(r"[^a-zA-Z0-9_]")


def sanitise(text: str) -> str:
    """Return ``text`` as a valid metric or label name: every other character becomes ``_``.

    Colons are valid in metric names but reserved for recording rules, so they are replaced too.
    """
    name = _INVALID.sub("_", text)
    return f"_{name}" if not name or name[0].isdigit() else name


def metric_name(variable: str) -> str:
    """Return the default metric name of a variable: ``expvar_`` and its sanitised name."""
    return PREFIX + sanitise(variable)


def label_name(text: str) -> str:
    """Return a valid label name; names starting ``__`` are Prometheus' own, so one is dropped."""
    name = sanitise(text)
    return name[1:] if name.startswith("__") else name
