"""Facts about the serving process for the dashboard header."""

from __future__ import annotations

import platform
from dataclasses import dataclass

import django

from expvar.process import this_process


@dataclass(frozen=True)
class ProcessFacts:
    host: str
    pid: int
    started: float
    python: str
    django: str


def process_facts() -> ProcessFacts:
    """Return this process's host, pid, start time and versions."""
    me = this_process()
    return ProcessFacts(
        host=me.host,
        pid=me.pid,
        started=me.started,
        python=platform.python_version(),
        django=django.get_version(),
    )
