"""Every published variable's families, with the collisions that sanitising names causes.

Names are taken in the published (sorted) order: a family whose series name another variable
already wrote is left out, logged on the ``expvar`` logger and listed as an
``expvar_prometheus_collision_info`` series, and the same goes for a variable whose exposer
raises.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from expvar.prometheus.mapping import families_for
from expvar.prometheus.model import Family, Labels, Sample, Source

logger = logging.getLogger("expvar")

COLLISIONS = "expvar_prometheus_collision_info"
FAILURES = "expvar_prometheus_error_info"
# Values of these types are exposed as read; the rest are parsed back from their JSON text, as
# value() may have returned a Decimal or a datetime that the text spells as a number or a string.
_PLAIN = frozenset({int, float, str, bool})
# Each clash is logged once per process: the same clash recurs on every scrape.
_MAX_REMEMBERED = 1024


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
    """Return the families of every published ``(name, JSON text, value)``, first name first."""
    families: list[Family] = []
    collisions: list[Collision] = []
    failures: dict[str, str] = {}
    owners = _Owners()
    for name, text, value in entries:
        try:
            plain = value if type(value) in _PLAIN else json.loads(text)
            found = families_for(name, plain, sources.get(name, ()))
        except Exception as exc:  # one variable's exposer must not cost the others
            failures[name] = f"{type(exc).__name__}: {exc}"
            _warn_once(("error", name, type(exc).__name__), "%s: %s", name, failures[name])
            continue
        for family in found:
            if len(family.samples) > 1:
                family = _dedupe(family, name, collisions)
            kept = owners.take(family, name)
            if kept is None:
                families.append(family)
            else:
                _collide(collisions, family.name, name, kept)
    if collisions:
        samples = tuple(
            Sample("", (("metric", c.series), ("name", c.name), ("kept", c.kept)), 1)
            for c in collisions
        )
        help_text = "A metric left out because an earlier variable (kept) already wrote it"
        families.append(Family(COLLISIONS, "gauge", help_text, samples))
    if failures:
        samples = tuple(
            Sample("", (("name", name), ("error", error[:200])), 1)
            for name, error in failures.items()
        )
        help_text = "A variable whose Prometheus exposition raised, left out"
        families.append(Family(FAILURES, "gauge", help_text, samples))
    return Exposed(families, collisions)


def _collide(collisions: list[Collision], series: str, name: str, kept: str) -> None:
    collisions.append(Collision(series, name, kept))
    message = "/debug/metrics: %r would write %s, already written by %r; left out"
    _warn_once(("collision", name, series), message, name, series, kept)


class _Owners:
    """Who wrote each series name, and each family name a TYPE line may carry."""

    def __init__(self) -> None:
        self.series: dict[str, str] = dict.fromkeys((COLLISIONS, FAILURES), "expvar")
        # A counter's, histogram's or summary's own name (OpenMetrics writes it on the TYPE
        # line), so a gauge expvar_x and another variable's counter expvar_x_total clash; one
        # variable may have both (Go's go_memstats_alloc_bytes and ..._bytes_total).
        self.families: dict[str, str] = {}

    def take(self, family: Family, name: str) -> str | None:
        """Claim the names this family needs for ``name``; return who has one already, or None."""
        series, families = self.series, self.families
        names = family.series_names()
        for one in names:
            if one in series:
                return series[one]
            if families.get(one, name) != name:
                return families[one]
        if family.type != "gauge":
            for owners in (series, families):
                if owners.get(family.name, name) != name:
                    return owners[family.name]
            families[family.name] = name
        for one in names:
            series[one] = name
        return None


def _dedupe(family: Family, name: str, collisions: list[Collision]) -> Family:
    # Keys that sanitise alike ("a.b" and "a_b") would write one series twice: the first stays.
    unique: dict[tuple[str, Labels], Sample] = {}
    for sample in family.samples:
        key = (sample.suffix, sample.labels)
        if key in unique:
            _collide(collisions, family.name, name, name)
        else:
            unique[key] = sample
    if len(unique) == len(family.samples):
        return family
    return Family(family.name, family.type, family.help, tuple(unique.values()))


_warned: set[tuple[str, ...]] = set()
_warned_lock = threading.Lock()


def _warn_once(key: tuple[str, ...], message: str, *args: object) -> None:
    with _warned_lock:
        if key in _warned:
            return
        if len(_warned) >= _MAX_REMEMBERED:
            _warned.clear()
        _warned.add(key)
    logger.warning("expvar: " + message, *args)
