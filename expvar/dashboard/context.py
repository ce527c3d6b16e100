"""Turn one Resolution into what the dashboard shows; no reading, merging or deciding here."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from expvar.dashboard.process import ProcessFacts, process_facts
from expvar.dashboard.values import ShownValue, show
from expvar.registry import AppSource, ImportFailure, Problem
from expvar.reports import MERGE, STATUS_LABELS, Collision, VariableReport
from expvar.resolution import Resolution

MEMSTATS = "memstats"
# Go's MemStats.PauseNs is a ring of the last 256 pauses; the card charts the newest of them.
RUNTIME_PAUSES = 64


@dataclass(eq=False)
class VariableRow:
    key: str
    report: VariableReport
    status_label: str
    duration: str
    shown: ShownValue | None

    @property
    def name(self) -> str:
        return self.report.name

    @property
    def app(self) -> AppSource:
        return self.report.app

    @property
    def origin(self) -> str:
        return self.report.origin

    @property
    def kind(self) -> str:
        return self.report.kind

    @property
    def status(self) -> str:
        return self.report.status

    @property
    def note(self) -> str:
        return self.report.note

    @property
    def error(self) -> str | None:
        return self.report.error

    @property
    def traceback(self) -> str | None:
        return self.report.traceback

    @property
    def number(self) -> bool:
        return self.report.kind == "number"


@dataclass(eq=False)
class AppSection:
    app: AppSource
    rows: list[VariableRow]


@dataclass(frozen=True)
class KeyOriginRow:
    path: str
    app: AppSource
    origin: str


@dataclass(frozen=True)
class KeyClashRow:
    path: str
    winner_app: AppSource
    winner_origin: str
    loser_app: AppSource
    loser_origin: str


@dataclass(eq=False)
class CollisionView:
    collision: Collision
    contenders: list[VariableRow]
    winner: VariableRow | None
    merged: ShownValue | None
    key_origins: list[KeyOriginRow]
    key_clashes: list[KeyClashRow]

    @property
    def name(self) -> str:
        return self.collision.name

    @property
    def merge(self) -> bool:
        return self.collision.rule == MERGE


@dataclass(frozen=True)
class Summary:
    facts: ProcessFacts
    refreshed_at: datetime.datetime
    uptime: str
    variables: int
    names: int
    apps: int
    took: str


@dataclass(frozen=True)
class RuntimeSample:
    """The memstats figures the runtime card charts, as JSON for the dashboard script."""

    json: str


@dataclass(eq=False)
class Dashboard:
    summary: Summary
    sections: list[AppSection]
    rows: list[VariableRow]
    collisions: list[CollisionView]
    import_failures: Sequence[ImportFailure]
    errors: list[VariableRow]
    problems: Sequence[Problem]
    runtime: RuntimeSample | None
    signature: str

    @property
    def error_count(self) -> int:
        return len(self.import_failures) + len(self.errors) + len(self.problems)


def build_dashboard(resolution: Resolution) -> Dashboard:
    """Arrange a Resolution for the dashboard templates."""
    rows: list[VariableRow] = []
    by_report: dict[VariableReport, VariableRow] = {}
    used: set[str] = set()
    for report in resolution.variables:
        row = VariableRow(
            key=_unique_key(report, used),
            report=report,
            status_label=STATUS_LABELS.get(report.status, report.status),
            duration="cached" if report.cached else format_duration(report.duration),
            shown=show(report.text) if report.text is not None else None,
        )
        rows.append(row)
        by_report[report] = row
    sections = _sections(resolution.apps, rows)
    return Dashboard(
        summary=_summary(resolution, len(sections)),
        sections=sections,
        rows=rows,
        collisions=[_collision(collision, by_report) for collision in resolution.collisions],
        import_failures=resolution.import_failures,
        errors=[by_report[report] for report in resolution.errors],
        problems=resolution.problems,
        runtime=_runtime(resolution),
        signature=_digest("\n".join(row.key for row in rows), 8),
    )


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


@functools.lru_cache(maxsize=4096)
def _row_id(label: str, origin: str, name: str) -> str:
    # Stable across refreshes so each refresh finds the row it updates; a hash because names
    # may hold any character and an id must not.
    return "expvar-v-" + _digest(f"{label}\0{origin}\0{name}", 6)


def _unique_key(report: VariableReport, used: set[str]) -> str:
    key = _row_id(report.app.label, report.origin, report.name)
    candidate, n = key, 1
    while candidate in used:
        n += 1
        candidate = f"{key}-{n}"
    used.add(candidate)
    return candidate


def _sections(apps: Sequence[AppSource], rows: list[VariableRow]) -> list[AppSection]:
    by_label: dict[str, list[VariableRow]] = {}
    for row in rows:
        by_label.setdefault(row.app.label, []).append(row)
    return [AppSection(app, by_label[app.label]) for app in apps if app.label in by_label]


def _collision(collision: Collision, by_report: dict[VariableReport, VariableRow]) -> CollisionView:
    merged = None
    if collision.rule == MERGE and collision.merged_text is not None:
        merged = show(collision.merged_text)
    return CollisionView(
        collision=collision,
        contenders=[by_report[report] for report in collision.contenders],
        winner=by_report[collision.winner] if collision.winner is not None else None,
        merged=merged,
        key_origins=[
            KeyOriginRow(".".join(o.path), o.declaration.app, o.declaration.origin)
            for o in collision.key_origins
        ],
        key_clashes=[
            KeyClashRow(
                ".".join(c.path), c.winner.app, c.winner.origin, c.loser.app, c.loser.origin
            )
            for c in collision.key_clashes
        ],
    )


def _summary(resolution: Resolution, apps: int) -> Summary:
    facts = process_facts()
    return Summary(
        facts=facts,
        refreshed_at=datetime.datetime.fromtimestamp(
            resolution.resolved_at, tz=datetime.timezone.utc
        ),
        uptime=format_uptime(resolution.resolved_at - facts.started),
        variables=len(resolution.variables),
        names=len(resolution.published),
        apps=apps,
        took=format_duration(resolution.duration),
    )


def _runtime(resolution: Resolution) -> RuntimeSample | None:
    text = resolution.published.get(MEMSTATS)
    if text is None:
        return None
    stats = json.loads(text)
    if not isinstance(stats, dict):
        return None
    num_gc = stats.get("NumGC")
    gcs = int(num_gc) if isinstance(num_gc, int) and not isinstance(num_gc, bool) else None
    ring = stats.get("PauseNs")
    pauses: list[int | float] = []
    if gcs and isinstance(ring, list) and ring:
        count = min(gcs, len(ring), RUNTIME_PAUSES)
        newest = gcs - 1
        recent = [ring[(newest - back) % len(ring)] for back in reversed(range(count))]
        pauses = [pause for pause in recent if _is_number(pause)]
    sample = {
        "alloc": _number(stats.get("Alloc")),
        "sys": _number(stats.get("Sys")),
        "heapInuse": _number(stats.get("HeapInuse")),
        "numGC": gcs,
        "pauses": pauses,
    }
    return RuntimeSample(json=json.dumps(sample))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


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
