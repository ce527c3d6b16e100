"""``manage.py expvar``: what /debug/vars would serve, or ``--list`` for a readable report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from expvar.reports import MERGE, VariableReport
from expvar.resolution import Resolution, resolve


class Command(BaseCommand):
    help = "Print the JSON /debug/vars would serve, or with --list every variable by app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--list",
            action="store_true",
            help="List every variable by app with its class, status and time, then "
            "collisions, merges and errors.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        resolution = resolve()
        if options["list"]:
            self.stdout.write("\n".join(render_listing(resolution)))
        else:
            self.stdout.write(resolution.body(), ending="")


def render_listing(resolution: Resolution) -> Iterator[str]:
    """Yield the lines of the ``--list`` report."""
    by_app: dict[str, list[VariableReport]] = {}
    for report in resolution.variables:
        by_app.setdefault(report.app.label, []).append(report)
    for app in resolution.apps:
        reports = by_app.get(app.label)
        if not reports:
            continue
        yield f"{app.verbose_name} ({app.name})"
        yield from _table(
            ("NAME", "CLASS", "STATUS", "TIME"),
            [(r.name, r.origin, r.status_label, _ms(r.duration)) for r in reports],
        )
        yield ""
    yield from _collisions(resolution)
    yield from _errors(resolution)
    yield (
        f"{len(resolution.variables)} variables from {len(by_app)} apps, "
        f"{len(resolution.published)} names published, resolved in "
        f"{_ms(resolution.duration)}."
    )


def _collisions(resolution: Resolution) -> Iterator[str]:
    if not resolution.collisions:
        yield "Collisions and merges: none"
        yield ""
        return
    yield "Collisions and merges:"
    for collision in resolution.collisions:
        who = ", ".join(f"{c.app.label} ({c.origin})" for c in collision.contenders)
        if collision.rule == MERGE:
            yield f"  {collision.name}: dicts merged from {who}"
            for origin in collision.key_origins:
                yield f"    {'.'.join(origin.path)} <- {origin.declaration.app.label}"
            for clash in collision.key_clashes:
                yield (
                    f"    key clash at {'.'.join(clash.path)}: {clash.winner.app.label} "
                    f"wins over {clash.loser.app.label}"
                )
        elif collision.winner is not None:
            yield f"  {collision.name}: collision between {who}"
            yield f"    winner: {collision.winner.app.label} ({collision.winner.origin})"
        else:
            yield f"  {collision.name}: collision between {who}; every contender failed"
    yield ""


def _errors(resolution: Resolution) -> Iterator[str]:
    failures = resolution.import_failures
    errors = resolution.errors
    problems = resolution.problems
    if not (failures or errors or problems):
        yield "Errors: none"
        yield ""
        return
    yield "Errors:"
    for failure in failures:
        yield f"  {failure.module} (app {failure.app.label}): import failed: {failure.error}"
    for report in errors:
        yield f"  {report.name} ({report.origin}): {report.status_label}: {report.error}"
    for problem in problems:
        yield f"  {problem.origin}: {problem.message}"
    yield ""


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> Iterator[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        yield ("  " + "  ".join(cells)).rstrip()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
