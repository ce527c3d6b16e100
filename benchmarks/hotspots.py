"""Where a variable's cost goes: a short cProfile of ``/debug/vars`` with many trivial variables.

From Python 3.12 cProfile follows every thread, so the pool thread that reads the values is
profiled with the request; on older Pythons only the request thread is, and the rows say less.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.endpoint import ENDPOINT_PATH, WsgiCall, configure, install, wsgi_application
from expvar.registry import get_registry, set_registry

SIZE = 10_000
REQUESTS = 5
TOP = 8
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Hotspot:
    function: str
    calls_per_variable: float
    own_s_per_variable: float


@dataclass(frozen=True)
class Hotspots:
    count: int
    requests: int
    all_threads: bool
    rows: list[Hotspot]


def _function(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return name  # a built-in, already named like "{method 'get' of 'dict' objects}"
    path = Path(filename)
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else Path(path.name)
    return f"{shown}:{line}({name})"


def run() -> Hotspots:
    """Profile ``REQUESTS`` requests at ``SIZE`` variables; the top functions by own time."""
    configure()
    original = get_registry()
    try:
        install(SIZE)
        request = WsgiCall(wsgi_application(), ENDPOINT_PATH)
        request()
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [request() for _ in range(REQUESTS)])
    finally:
        set_registry(original)
    variables = SIZE * REQUESTS
    # pstats keys are (file, line, function); values (primitive calls, calls, own, cumulative, _).
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = sorted(stats.items(), key=lambda item: -item[1][2])[:TOP]
    return Hotspots(
        count=SIZE,
        requests=REQUESTS,
        all_threads=sys.version_info >= (3, 12),
        rows=[
            Hotspot(_function(*where), calls / variables, own / variables)
            for where, (_, calls, own, _, _) in rows
        ],
    )
