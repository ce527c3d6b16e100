"""Every published variable's families, first name first: a family with a series name that an
earlier variable wrote is left out, as is a variable whose exposer raises; both are listed."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from expvar.prometheus.mapping import families_for
from expvar.prometheus.model import Family, Labels, Sample, Source

logger = logging.getLogger("expvar")

COLLISIONS = "expvar_prometheus_collision_info"
FAILURES = "expvar_prometheus_error_info"
_COLLISIONS_HELP = "A metric left out because an earlier variable (kept) already wrote it"
_FAILURES_HELP = "A variable whose Prometheus exposition raised, left out"
# The same clash recurs on every scrape: each is logged once per process (up to 1024 of them).
_warned: set[tuple[str, ...]] = set()


class Collision(NamedTuple):
    """A family left out because an earlier variable already wrote one of its series."""

    series: str
    name: str
    kept: str


class Exposed(NamedTuple):
    families: list[Family]
    collisions: list[Collision]


def expose(
    entries: Iterable[tuple[str, str, Any]], sources: Mapping[str, Sequence[Source]]
) -> Exposed:
    """Return the families of every published ``(name, JSON text, value)``, and the clashes."""
    exposed = Exposed([], [])
    failures: list[Labels] = []
    owners = _Owners()
    for name, text, value in entries:
        try:
            # Numbers and strings are exposed as read; the rest are parsed back from their JSON
            # text, as value() may have returned a Decimal or a datetime that the text spells.
            plain = value if type(value) in (int, float, str, bool) else json.loads(text)
            found = families_for(name, plain, sources.get(name, ()))
        except Exception as exc:  # one variable's exposer must not cost the others
            error = f"{type(exc).__name__}: {exc}"
            failures.append((("name", name), ("error", error[:200])))
            _warn_once(("error", name, type(exc).__name__), "%s: %s", name, error)
            continue
        for family in found:
            if len(family.samples) > 1:  # one sample cannot repeat itself
                family = _dedupe(family, name, exposed.collisions)
            kept = owners.take(family, name)
            if kept is None:
                exposed.families.append(family)
            else:
                _collide(exposed.collisions, family.name, name, kept)
    collided = [tuple(zip(("metric", "name", "kept"), c, strict=True)) for c in exposed.collisions]
    for report, help_text, labels in (
        (COLLISIONS, _COLLISIONS_HELP, collided),
        (FAILURES, _FAILURES_HELP, failures),
    ):
        if labels:
            samples = tuple(Sample("", one, 1) for one in labels)
            exposed.families.append(Family(report, "gauge", help_text, samples))
    return exposed


def _dedupe(family: Family, name: str, collisions: list[Collision]) -> Family:
    # Keys that sanitise alike ("a.b" and "a_b") would write one series twice: the first stays.
    unique: dict[tuple[str, Labels], Sample] = {}
    for sample in family.samples:
        if (sample.suffix, sample.labels) in unique:
            _collide(collisions, family.name, name, name)
        else:
            unique[sample.suffix, sample.labels] = sample
    return family._replace(samples=tuple(unique.values()))


def _collide(collisions: list[Collision], series: str, name: str, kept: str) -> None:
    collisions.append(Collision(series, name, kept))
    message = "/debug/metrics: %r would write %s, already written by %r; left out"
    _warn_once(("collision", name, series), message, name, series, kept)


def _warn_once(key: tuple[str, ...], message: str, *args: object) -> None:
    # Unlocked: two threads meeting the same new clash at once log it twice, which is harmless.
    if key not in _warned:
        if len(_warned) >= 1024:
            _warned.clear()
        _warned.add(key)
        logger.warning("expvar: " + message, *args)


class _Owners:
    def __init__(self) -> None:
        self.series = {COLLISIONS, FAILURES}
        # A name's writer; names are series, or a counter's, histogram's or summary's own name
        # (OpenMetrics writes it on the TYPE line), so a gauge expvar_x and another variable's
        # counter expvar_x_total clash. A name that is both was claimed by the same variable.
        self.owners = dict.fromkeys(self.series, "expvar")

    def take(self, family: Family, name: str) -> str | None:
        """Claim the names this family needs for ``name``; return who has one already, or None."""
        names = [family.name + sample.suffix for sample in family.samples]
        for one in names:
            if one in self.series or self.owners.get(one, name) != name:
                return self.owners[one]
        if family.type != "gauge":
            if self.owners.get(family.name, name) != name:
                return self.owners[family.name]
            self.owners[family.name] = name
        self.series.update(names)
        self.owners.update(dict.fromkeys(names, name))
        return None
