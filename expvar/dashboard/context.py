"""Arrange one Resolution for the dashboard: no reading, merging or deciding, only what the
dashboard alone needs (the rows grouped by app, facet counts, what the header says)."""

from __future__ import annotations

import datetime
import hashlib
import platform
from collections import Counter
from typing import Any

import django

from expvar.process import this_process
from expvar.reports import STATUS_LABELS
from expvar.resolution import Resolution

# The status facet: every status but "ok", then the names declared more than once.
FACET_LABELS = {status: label for status, label in STATUS_LABELS.items() if status != "ok"}
FACET_LABELS["collides"] = "collides"
# What the header says the process runs on: fixed for its life, so read once.
PYTHON_VERSION = platform.python_version()
DJANGO_VERSION = django.get_version()


def build_dashboard(resolution: Resolution) -> dict[str, Any]:
    """Arrange a Resolution for the dashboard templates (their ``dashboard``)."""
    statuses = Counter(report.status for report in resolution.variables)
    statuses["collides"] = sum(len(c.contenders) for c in resolution.collisions)
    signed = "\n".join(f"{r.app.label}\0{r.origin}\0{r.name}" for r in resolution.variables)
    errors = resolution.errors
    process = this_process()
    return {
        "resolution": resolution,
        "sections": resolution.by_app(),
        # Each name declared more than once, with its collision (rows link to it).
        "shared": {collision.name: collision for collision in resolution.collisions},
        "status_facets": [
            (status, label, statuses[status]) for status, label in FACET_LABELS.items()
        ],
        "errors": errors,
        "error_count": len(resolution.import_failures) + len(errors) + len(resolution.problems),
        # Changes when variables are added or removed: the page then offers a reload.
        "signature": hashlib.blake2b(signed.encode(), digest_size=8).hexdigest(),
        "process": process,
        "uptime": format_uptime(resolution.resolved_at - process.started),
        "refreshed_at": datetime.datetime.fromtimestamp(resolution.resolved_at, tz=datetime.UTC),
        "python_version": PYTHON_VERSION,
        "django_version": DJANGO_VERSION,
    }


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
