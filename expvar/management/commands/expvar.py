"""``manage.py expvar``: what /debug/vars would serve, or ``--list`` for a readable report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from expvar.reports import MERGE
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
    by_app = resolution.by_app()
    for app, reports in by_app:
        yield f"{app.verbose_name} ({app.name})"
        rows = [("NAME", "CLASS", "STATUS", "TIME")]
        rows += [(r.name, r.origin, r.status_label, _ms(r.duration)) for r in reports]
        widths = [max(map(len, column)) for column in zip(*rows, strict=True)]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            yield ("  " + "  ".join(cells)).rstrip()
        yield ""
    yield from _section("Collisions and merges", _collisions(resolution))
    yield from _section("Errors", _errors(resolution))
    yield (
        f"{len(resolution.variables)} variables from {len(by_app)} apps, "
        f"{len(resolution.published)} names published, resolved in "
        f"{_ms(resolution.duration)}."
    )


def _section(title: str, lines: Iterable[str]) -> Iterator[str]:
    body = list(lines)
    yield f"{title}:" if body else f"{title}: none"
    yield from body
    yield ""


def _collisions(resolution: Resolution) -> Iterator[str]:
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


def _errors(resolution: Resolution) -> Iterator[str]:
    for failure in resolution.import_failures:
        yield f"  {failure.module} (app {failure.app.label}): import failed: {failure.error}"
    for report in resolution.errors:
        yield f"  {report.name} ({report.origin}): {report.status_label}: {report.error}"
    for problem in resolution.problems:
        yield f"  {problem.origin}: {problem.message}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
