"""Write metric families in the Prometheus text format 0.0.4 or in OpenMetrics 1.0."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from expvar.prometheus.model import Family, Labels

TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"


def render(families: Sequence[Family], openmetrics: bool) -> str:
    """Return the exposition of ``families``, in OpenMetrics when asked, else text 0.0.4."""
    lines: list[str] = []
    # OpenMetrics names a counter's family without its _total; where another family already
    # has that name (Go's go_memstats_alloc_bytes beside go_memstats_alloc_bytes_total) the
    # counter is written under its full name with no TYPE line, which OpenMetrics reads as
    # "unknown" (its only type whose family and sample names are the same).
    taken = {family.name for family in families if family.type != "counter"}
    for base, kind, help_text, samples in families:
        if kind == "counter" and not openmetrics:
            # Text 0.0.4 names a counter's family by its series name, _total included.
            lines.append(_header(base + "_total", kind, help_text))
        elif kind == "counter" and base in taken:
            lines.append(_header(base + "_total", None, help_text))
        else:
            lines.append(_header(base, kind, help_text))
        for suffix, labels, value in samples:
            text = str(value) if type(value) is int else number(value)
            lines.append(f"{base}{suffix}{label_set(labels)} {text}")
    if openmetrics:
        lines.append("# EOF")
    return "\n".join(lines) + "\n" if lines else ""


@lru_cache(maxsize=8192)
def _header(name: str, kind: str | None, help_text: str) -> str:
    # The same few families are written on every scrape: their two comment lines are kept.
    described = f"# HELP {name} {escape_help(help_text)}"
    return described if kind is None else f"{described}\n# TYPE {name} {kind}"


def label_set(labels: Labels) -> str:
    """Return labels as both formats and PromQL write them: ``{label="value",...}``."""
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{escape_label(value)}"' for key, value in labels) + "}"


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def escape_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def number(value: float) -> str:
    """Return a sample value as both formats write it (integers without a fraction)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)
