"""The default rules that turn one published variable into metric families (docs/prometheus.md)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache, partial
from typing import Any

from django.utils.module_loading import import_string

from expvar.prometheus.model import Exposer, Family, Metric, Sample, Source

# Longer text is a message or a dump, not a version or a state: left out, not an _info label.
MAX_INFO_TEXT = 256
# Metric and label names are [a-zA-Z_][a-zA-Z0-9_]*; colons are reserved for recording rules.
_INVALID = re.compile(r"[^a-zA-Z0-9_]")


def families_for(name: str, value: Any, declarations: Sequence[Source]) -> list[Family]:
    """Return the metric families one published variable is exposed as."""
    try:
        exposer = _exposer(name, tuple(declarations))
    except TypeError:  # a declaration that cannot be hashed: worked out every time
        exposer = _exposer.__wrapped__(name, declarations)
    return list(exposer(value))


# The declarations of a name stay the same objects from one scrape to the next.
@lru_cache(maxsize=4096)
def _exposer(name: str, declarations: Sequence[Source]) -> Exposer:
    """Return what exposes the values of ``name``: its own exposer, or the default rules."""
    metric = declared(declarations)
    if not isinstance(metric, Metric):
        return metric
    family = sanitise(metric.name) if metric.name else "expvar_" + sanitise(name)
    if metric.type == "counter":
        family = family.removesuffix("_total")
    origins = ", ".join(f"{d.origin} ({d.app.label})" for d in declarations)
    merged = " merged" if len(declarations) > 1 else ""
    help_text = metric.help or f"expvar {name!r}{merged} from {origins or 'an unknown source'}"
    return partial(_by_default, metric, family, help_text)


def declared(declarations: Sequence[Source]) -> Metric | Exposer:
    """Return the first ``prometheus`` attribute set among a name's declarations, read."""
    for declaration in declarations:
        # Read as stored: a function set on an ExpVar class must not become a bound method.
        chosen = inspect.getattr_static(declaration.variable, "prometheus", None)
        if isinstance(chosen, staticmethod):
            chosen = chosen.__func__
        if isinstance(chosen, str) and chosen not in ("gauge", "counter"):
            exposer = import_string(chosen)
            if not callable(exposer):
                raise TypeError(f"prometheus = {chosen!r} does not name a callable")
            return exposer  # type: ignore[no-any-return]
        if isinstance(chosen, Metric) or callable(chosen):
            return chosen  # type: ignore[no-any-return]
        if chosen is not None:
            return Metric("counter" if chosen == "counter" else "gauge")
    return Metric()


def _by_default(metric: Metric, family: str, help_text: str, value: Any) -> list[Family]:
    suffix = "_total" if metric.type == "counter" else ""
    if type(value) in (int, float):  # most variables are one number: nothing to walk
        return [Family(family, metric.type, help_text, (Sample(suffix, (), value),))]
    labels: list[str] | None = None
    if metric.labels is not None:  # names starting __ are Prometheus' own: one _ is dropped
        labels = [re.sub("^__", "_", sanitise(label)) for label in metric.labels]
    grouped: dict[str, list[Sample]] = {}
    for keys, leaf in _leaves(value, ()):
        if labels is not None:  # the first keys are labels, the rest name fields
            fields = keys[len(labels) :]
            name = family + "".join("_" + sanitise(key).lstrip("_") for key in fields)
            labelled = tuple(zip(labels, keys, strict=False))
        else:
            name, labelled = family, (("key", ".".join(keys)),) if keys else ()
        if not isinstance(leaf, str):
            grouped.setdefault(name, []).append(Sample(suffix, labelled, leaf))
        elif metric.type == "gauge" and len(leaf) <= MAX_INFO_TEXT:
            info = Sample("", (*labelled, ("value", leaf)), 1)
            grouped.setdefault(f"{name}_info", []).append(info)
    return [
        Family(name, metric.type, help_text, tuple(samples)) for name, samples in grouped.items()
    ]


def _leaves(value: Any, keys: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], float | str]]:
    if isinstance(value, (int, float, str)):
        yield keys, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*keys, str(key)))
    # Lists and nulls have no single number to expose.


def sanitise(text: str) -> str:
    """Return ``text`` as a valid metric or label name: every other character becomes ``_``."""
    name = _INVALID.sub("_", text)
    return f"_{name}" if not name or name[0].isdigit() else name
