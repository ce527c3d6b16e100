"""Arrange one Resolution for the dashboard: no reading, merging or deciding, only what the
dashboard alone needs (the rows grouped by app, facet counts, a header summary)."""

from __future__ import annotations

import datetime
import hashlib
import platform
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import django

from expvar.process import ProcessInfo, this_process
from expvar.registry import AppSource, ImportFailure, Problem
from expvar.reports import STATUS_LABELS, Collision, VariableReport
from expvar.resolution import Resolution

# The status facet: every status but "ok", then the names declared more than once.
COLLIDES = "collides"
FACET_LABELS = {status: label for status, label in STATUS_LABELS.items() if status != "ok"}
FACET_LABELS[COLLIDES] = "collides"


@dataclass(eq=False)
class AppSection:
    app: AppSource
    reports: list[VariableReport]


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Summary:
    process: ProcessInfo
    python: str
    django: str
    refreshed_at: datetime.datetime
    uptime: str
    variables: int
    names: int
    apps: int
    took: str


@dataclass(eq=False)
class Dashboard:
    summary: Summary
    sections: list[AppSection]
    collisions: list[Collision]
    # Each name declared more than once, with its collision (rows link to it).
    shared: dict[str, Collision]
    import_failures: Sequence[ImportFailure]
    errors: list[VariableReport]
    problems: Sequence[Problem]
    app_facets: list[Facet]
    status_facets: list[Facet]
    signature: str

    @property
    def error_count(self) -> int:
        return len(self.import_failures) + len(self.errors) + len(self.problems)


def build_dashboard(resolution: Resolution) -> Dashboard:
    """Arrange a Resolution for the dashboard templates."""
    by_label: dict[str, list[VariableReport]] = {}
    for report in resolution.variables:
        by_label.setdefault(report.app.label, []).append(report)
    sections = [
        AppSection(app, by_label[app.label]) for app in resolution.apps if app.label in by_label
    ]
    statuses = Counter(report.status for report in resolution.variables)
    statuses[COLLIDES] = sum(len(c.contenders) for c in resolution.collisions)
    signed = "\n".join(f"{r.app.label}\0{r.origin}\0{r.name}" for r in resolution.variables)
    process = this_process()
    return Dashboard(
        summary=Summary(
            process=process,
            python=platform.python_version(),
            django=django.get_version(),
            refreshed_at=datetime.datetime.fromtimestamp(
                resolution.resolved_at, tz=datetime.timezone.utc
            ),
            uptime=format_uptime(resolution.resolved_at - process.started),
            variables=len(resolution.variables),
            names=len(resolution.published),
            apps=len(sections),
            took=format_duration(resolution.duration),
        ),
        sections=sections,
        collisions=resolution.collisions,
        shared={collision.name: collision for collision in resolution.collisions},
        import_failures=resolution.import_failures,
        errors=resolution.errors,
        problems=resolution.problems,
        app_facets=[Facet(s.app.label, s.app.verbose_name, len(s.reports)) for s in sections],
        status_facets=[
            Facet(status, label, statuses[status]) for status, label in FACET_LABELS.items()
        ],
        signature=hashlib.blake2b(signed.encode(), digest_size=8).hexdigest(),
    )


def format_duration(seconds: float) -> str:
    """Format a duration the way the dashboard shows times: ms below a second."""
    if seconds < 1:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds:.2f} s"


def format_uptime(seconds: float) -> str:
    """Format an uptime compactly: the two largest units."""
    total = max(int(seconds), 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} m"
    if minutes:
        return f"{minutes} m {secs:02d} s"
    return f"{secs} s"
