"""The series one variable is exposed as, for the dashboard's copy-path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from expvar.prometheus.mapping import families_for
from expvar.prometheus.model import Source
from expvar.prometheus.text import label_set


def series_for(name: str, value: Any, declarations: Sequence[Source]) -> list[str]:
    """Return the PromQL selector of every series a variable is exposed as, in order."""
    return [
        family.name + sample.suffix + label_set(sample.labels)
        for family in families_for(name, value, declarations)
        for sample in family.samples
    ]
