"""What a variable's Prometheus exposition is made of, and how a variable asks for one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol


class _App(Protocol):
    @property
    def label(self) -> str: ...


class Source(Protocol):
    """What the exposition reads of a declaration: only the names the resolution promises."""

    @property
    def origin(self) -> str: ...
    @property
    def app(self) -> _App: ...
    @property
    def variable(self) -> object: ...


Labels = tuple[tuple[str, str], ...]


class Sample(NamedTuple):
    """One series: the family name plus ``suffix`` (``_total``, ``_bucket``, ...), and a value."""

    suffix: str
    labels: Labels
    value: float


class Family(NamedTuple):
    """One metric family: its name (without a counter's ``_total``), type, help and samples."""

    name: str
    type: Literal["gauge", "counter", "histogram", "summary"]
    help: str
    samples: tuple[Sample, ...]


@dataclass(frozen=True)
class Metric:
    """How the default rules expose one variable (its ``prometheus`` attribute): a counter's
    series end in ``_total``; ``labels`` name the first levels of a dict's keys (None: ``key``)."""

    type: Literal["gauge", "counter"] = "gauge"
    labels: tuple[str, ...] | None = None
    name: str | None = None
    help: str | None = None


# A contrib app's own exposition: the variable's value in, its metric families out.
Exposer = Callable[[Any], Iterable[Family]]
# What the ``prometheus`` attribute may hold: None (the default rules by the value's shape), a
# Metric, "gauge" or "counter" as a short Metric, an Exposer, or an Exposer's dotted path.
Exposition = Metric | str | Exposer | None


def gauge(name: str, help: str, value: float, labels: Labels = ()) -> Family:
    """Return a family of one gauge sample."""
    return Family(name, "gauge", help, (Sample("", labels, value),))


def counter(name: str, help: str, value: float, labels: Labels = ()) -> Family:
    """Return a family of one counter sample; ``name`` may end in ``_total`` or not."""
    return Family(name.removesuffix("_total"), "counter", help, (Sample("_total", labels, value),))
