"""The series one variable is exposed as, for the dashboard's copy-path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from expvar.prometheus.mapping import families_for
from expvar.prometheus.model import Source
from expvar.prometheus.text import series_selector


def series_for(name: str, value: Any, declarations: Sequence[Source]) -> list[str]:
    """Return the PromQL selector of every series a variable is exposed as, in order."""
    return [
        series_selector(sample.series(family.name), sample.labels)
        for family in families_for(name, value, declarations)
        for sample in family.samples
    ]
