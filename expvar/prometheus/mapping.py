"""The default rules that turn one published variable into metric families.

See docs/prometheus.md: numbers and booleans are gauges (or counters), a string is an ``_info``
gauge with the text as a label, lists are left out; a dict's key path is one ``key`` label, or,
as the variable's Metric says, its first levels are labels and the levels below are flattened
into the metric name.
"""

from __future__ import annotations

import inspect
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
    strip_total,
)
from expvar.prometheus.names import label_name, metric_name, sanitise

PATH_LABEL = "key"
PATH_SEPARATOR = "."
# Longer text is a message or a dump, not a version or a state: an _info label would bloat
# every scrape, so it is left out.
MAX_INFO_TEXT = 256


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
    return plan_for(name, declarations).families(value)


def plan_for(name: str, declarations: Sequence[Source]) -> Plan:
    """Return the plan of a name, from the cache while its declarations stay the same ones."""
    try:
        key = (name, declarations)
        return _plans[key]
    except TypeError:  # unhashable declarations: worked out every time
        return _plan(name, declarations)
    except KeyError:
        pass
    plan = _plans[key] = _plan(name, declarations)
    if len(_plans) > _MAX_PLANS:
        _plans.clear()
    return plan


_plans: dict[tuple[str, Sequence[Source]], Plan] = {}
_MAX_PLANS = 4096


def _plan(name: str, declarations: Sequence[Source]) -> Plan:
    exposition = exposition_of(declarations)
    if callable(exposition) and not isinstance(exposition, (str, Metric)):
        return Plan(exposition, Metric(), "", "")
    metric = _metric(exposition)
    family = sanitise(metric.name) if metric.name else metric_name(name)
    help_text = metric.help or describe(name, declarations)
    if metric.type == "counter":
        return Plan(None, metric, strip_total(family), help_text, "_total")
    return Plan(None, metric, family, help_text)


def exposition_of(declarations: Sequence[Source]) -> Exposition:
    """Return the first ``prometheus`` attribute set among the declarations a name comes from."""
    for declaration in declarations:
        # Read as stored: a function set on an ExpVar class must not become a bound method.
        chosen = inspect.getattr_static(declaration.variable, "prometheus", None)
        if isinstance(chosen, staticmethod):
            chosen = chosen.__func__
        if isinstance(chosen, str) and chosen not in ("gauge", "counter"):
            return _imported(chosen)
        if chosen is not None:
            return chosen  # type: ignore[no-any-return]
    return None


@lru_cache(maxsize=64)
def _imported(path: str) -> Exposer:
    exposer = import_string(path)
    if not callable(exposer):
        raise TypeError(f"prometheus = {path!r} does not name a callable")
    return exposer  # type: ignore[no-any-return]


def describe(name: str, declarations: Sequence[Source]) -> str:
    """Return the help text that says where a variable comes from."""
    origins = ", ".join(f"{d.origin} ({d.app.label})" for d in declarations)
    merged = " merged" if len(declarations) > 1 else ""
    return f"expvar {name!r}{merged} from {origins or 'an unknown source'}"


def _metric(exposition: Exposition) -> Metric:
    if isinstance(exposition, Metric):
        return exposition
    return Metric(type="counter" if exposition == "counter" else "gauge")


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
        return "", ((PATH_LABEL, PATH_SEPARATOR.join(keys)),) if keys else ()
    named = tuple(zip((label_name(label) for label in labels), keys, strict=False))
    return _suffix(keys[len(labels) :]), named


def _suffix(parts: tuple[str, ...]) -> str:
    return "".join("_" + sanitise(part).lstrip("_") for part in parts)
