"""Arrange one Resolution for the dashboard: no reading, merging or deciding, only what the
dashboard alone needs (the rows grouped by app, facet counts, what the header says)."""

from __future__ import annotations

import datetime
import hashlib
import platform
from collections import Counter
from dataclasses import dataclass

import django

from expvar.process import ProcessInfo, this_process
from expvar.registry import AppSource
from expvar.reports import STATUS_LABELS, Collision, VariableReport
from expvar.resolution import Resolution

# The status facet: every status but "ok", then the names declared more than once.
FACET_LABELS = {status: label for status, label in STATUS_LABELS.items() if status != "ok"}
FACET_LABELS["collides"] = "collides"


@dataclass(eq=False)
class AppSection:
    app: AppSource
    reports: list[VariableReport]


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    count: int


@dataclass(eq=False)
class Dashboard:
    resolution: Resolution
    sections: list[AppSection]
    # Each name declared more than once, with its collision (rows link to it).
    shared: dict[str, Collision]
    app_facets: list[Facet]
    status_facets: list[Facet]
    errors: list[VariableReport]
    error_count: int
    # Changes when variables are added or removed: the page then offers a reload.
    signature: str
    process: ProcessInfo
    uptime: str
    refreshed_at: datetime.datetime
    python_version: str = platform.python_version()
    django_version: str = django.get_version()


def build_dashboard(resolution: Resolution) -> Dashboard:
    """Arrange a Resolution for the dashboard templates."""
    sections = [AppSection(app, reports) for app, reports in resolution.by_app()]
    statuses = Counter(report.status for report in resolution.variables)
    statuses["collides"] = sum(len(c.contenders) for c in resolution.collisions)
    signed = "\n".join(f"{r.app.label}\0{r.origin}\0{r.name}" for r in resolution.variables)
    errors = resolution.errors
    process = this_process()
    return Dashboard(
        resolution=resolution,
        sections=sections,
        shared={collision.name: collision for collision in resolution.collisions},
        app_facets=[Facet(s.app.label, s.app.verbose_name, len(s.reports)) for s in sections],
        status_facets=[
            Facet(value, label, statuses[value]) for value, label in FACET_LABELS.items()
        ],
        errors=errors,
        error_count=len(resolution.import_failures) + len(errors) + len(resolution.problems),
        signature=hashlib.blake2b(signed.encode(), digest_size=8).hexdigest(),
        process=process,
        uptime=format_uptime(resolution.resolved_at - process.started),
        refreshed_at=datetime.datetime.fromtimestamp(resolution.resolved_at, tz=datetime.UTC),
    )


def format_duration(seconds: float) -> str:
    """Format a duration the way the dashboard shows times: ms below a second."""
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def format_uptime(seconds: float) -> str:
    """Format an uptime compactly: the two largest units."""
    minutes, secs = divmod(max(int(seconds), 0), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days or hours:
        return f"{days} d {hours} h" if days else f"{hours} h {minutes:02d} m"
    return f"{minutes} m {secs:02d} s" if minutes else f"{secs} s"
