"""The default rules that turn one published variable into metric families (docs/prometheus.md)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.module_loading import import_string

from expvar.prometheus.model import (
    Exposer,
    Exposition,
    Family,
    Labels,
    Metric,
    Sample,
    Source,
    one_number,
)

# Longer text is a message or a dump, not a version or a state: an _info label would bloat
# every scrape, so it is left out.
MAX_INFO_TEXT = 256
# Metric and label names are [a-zA-Z_][a-zA-Z0-9_]*. Colons are valid in metric names but
# reserved for recording rules, so they are replaced too.
_INVALID = re.compile(r"[^a-zA-Z0-9_]")


@dataclass(frozen=True)
class Plan:
    """What a name's declarations decide, whatever the value: worked out once per name."""

    exposer: Exposer | None
    metric: Metric
    family: str
    help: str
    # What the series of a number end in: a counter's ``_total``.
    suffix: str = ""

    def families(self, value: Any) -> list[Family]:
        """Return the metric families a value of this name is exposed as."""
        if self.exposer is not None:
            return list(self.exposer(value))
        metric, family = self.metric, self.family
        if type(value) in (int, float) and metric.labels is None:
            # Most variables are one number: no walk through the value.
            return [one_number(family, metric.type, self.help, self.suffix, value)]
        grouped: dict[str, list[Sample]] = {}
        for keys, leaf in _leaves(value):
            suffix, labels = _placed(keys, metric.labels)
            if isinstance(leaf, str):
                if metric.type == "gauge" and len(leaf) <= MAX_INFO_TEXT:
                    labels = (*labels, ("value", leaf))
                    grouped.setdefault(f"{family}{suffix}_info", []).append(Sample("", labels, 1))
                continue
            grouped.setdefault(family + suffix, []).append(Sample(self.suffix, labels, leaf))
        return [
            Family(key, metric.type, self.help, tuple(samples)) for key, samples in grouped.items()
        ]


def families_for(name: str, value: Any, declarations: Sequence[Source]) -> list[Family]:
    """Return the metric families one published variable is exposed as."""
    try:
        plan = _cached_plan(name, declarations)
    except TypeError:  # unhashable declarations (a list): worked out every time
        plan = _plan(name, declarations)
    return plan.families(value)


def _plan(name: str, declarations: Sequence[Source]) -> Plan:
    exposition = exposition_of(declarations)
    if callable(exposition) and not isinstance(exposition, (str, Metric)):
        return Plan(exposition, Metric(), "", "")
    if isinstance(exposition, Metric):
        metric = exposition
    else:
        metric = Metric(type="counter" if exposition == "counter" else "gauge")
    family = sanitise(metric.name) if metric.name else "expvar_" + sanitise(name)
    origins = ", ".join(f"{d.origin} ({d.app.label})" for d in declarations)
    merged = " merged" if len(declarations) > 1 else ""
    help_text = metric.help or f"expvar {name!r}{merged} from {origins or 'an unknown source'}"
    if metric.type == "counter":
        return Plan(None, metric, family.removesuffix("_total"), help_text, "_total")
    return Plan(None, metric, family, help_text)


# The declarations of a name stay the same objects from one scrape to the next.
_cached_plan = lru_cache(maxsize=4096)(_plan)


def exposition_of(declarations: Sequence[Source]) -> Exposition:
    """Return the first ``prometheus`` attribute set among the declarations a name comes from."""
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
        if chosen is not None:
            return chosen  # type: ignore[no-any-return]
    return None


def sanitise(text: str) -> str:
    """Return ``text`` as a valid metric or label name: every other character becomes ``_``."""
    name = _INVALID.sub("_", text)
    return f"_{name}" if not name or name[0].isdigit() else name


def label_name(text: str) -> str:
    """Return a valid label name; names starting ``__`` are Prometheus' own, so one is dropped."""
    name = sanitise(text)
    return name[1:] if name.startswith("__") else name


Leaf = tuple[tuple[str, ...], float | str]


def _leaves(value: Any, keys: tuple[str, ...] = ()) -> Iterable[Leaf]:
    if isinstance(value, bool):
        yield keys, int(value)
    elif isinstance(value, (int, float, str)):
        yield keys, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*keys, str(key)))
    # Lists and nulls have no single number to expose.


def _placed(keys: tuple[str, ...], labels: tuple[str, ...] | None) -> tuple[str, Labels]:
    """Return the name suffix and the labels a leaf's key path becomes."""
    if labels is None:
        return "", (("key", ".".join(keys)),) if keys else ()
    named = tuple(zip((label_name(label) for label in labels), keys, strict=False))
    return "".join("_" + sanitise(part).lstrip("_") for part in keys[len(labels) :]), named
