"""Write metric families in the Prometheus text format 0.0.4 or in OpenMetrics 1.0."""

from __future__ import annotations

import math
from collections.abc import Sequence

from expvar.prometheus.model import Family, Labels

TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"


def render(families: Sequence[Family], openmetrics: bool) -> str:
    """Return the exposition of ``families``, in OpenMetrics when asked, else text 0.0.4."""
    lines: list[str] = []
    # OpenMetrics names a counter's family without _total; where another family has that name
    # (Go's go_memstats_alloc_bytes beside ..._bytes_total) the counter keeps its full name and
    # no TYPE line: "unknown", the only OpenMetrics type whose samples are named as its family.
    taken = {family.name for family in families if family.type != "counter"}
    for family in families:
        name = family.name
        untyped = openmetrics and family.type == "counter" and name in taken
        if family.type == "counter" and (untyped or not openmetrics):
            # Text 0.0.4 names a counter's family by its series name, _total included.
            name += "_total"
        lines.append(f"# HELP {name} {escape(family.help)}")
        if not untyped:
            lines.append(f"# TYPE {name} {family.type}")
        for suffix, labels, value in family.samples:
            lines.append(f"{family.name}{suffix}{label_set(labels)} {number(value)}")
    if openmetrics:
        lines.append("# EOF")
    return "\n".join(lines) + "\n" if lines else ""


def label_set(labels: Labels) -> str:
    """Return labels as both formats and PromQL write them: ``{label="value",...}``."""
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{escape(value, quotes=True)}"' for key, value in labels) + "}"


def escape(text: str, quotes: bool = False) -> str:
    text = text.replace("\\", "\\\\").replace("\n", "\\n")
    return text.replace('"', '\\"') if quotes else text


def number(value: float) -> str:
    """Return a sample value as both formats write it (integers without a fraction)."""
    if isinstance(value, int):  # True is 1
        return str(int(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)
