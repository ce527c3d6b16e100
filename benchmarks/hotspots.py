"""Where a variable's cost goes: the read path stage by stage, and a short cProfile of
``/debug/vars`` with many trivial variables.

The stages time the package's own functions, each adding one part of the path to the one before,
without a profiler; each is the marginal cost of a variable between two registry sizes, as the
per-variable target counts it. From Python 3.12 cProfile follows every thread, so the pool
thread that reads the values is profiled with the request; on older Pythons only the request
thread is, and the rows say less.
"""

from __future__ import annotations

import cProfile
import dataclasses
import gc
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.endpoint import (
    ENDPOINT_PATH,
    WsgiCall,
    configure,
    install,
    trivial_registry,
    wsgi_application,
)
from expvar.conf import get_config
from expvar.encoding import encode
from expvar.evaluation import evaluator
from expvar.registry import Declaration, get_registry, set_registry
from expvar.resolution import resolve

SIZE = 10_000
STAGE_SIZES = (1_000, 10_000)
STAGE_RUNS = 15
REQUESTS = 5
TOP = 8
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Hotspot:
    function: str
    calls_per_variable: float
    own_s_per_variable: float


@dataclass(frozen=True)
class Stage:
    """One more part of the read path, and the marginal cost per variable up to it."""

    label: str
    per_variable_s: float


@dataclass(frozen=True)
class Hotspots:
    count: int
    requests: int
    all_threads: bool
    rows: list[Hotspot]
    stages: list[Stage] = dataclasses.field(default_factory=list)


def _function(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return name  # a built-in, already named like "{method 'get' of 'dict' objects}"
    path = Path(filename)
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else Path(path.name)
    return f"{shown}:{line}({name})"


def _fastest(call: Callable[[], object]) -> float:
    # As timeit does: the garbage collector off while timing, so a collection that any of
    # the stages could have set off does not land in one stage's figure.
    best = float("inf")
    for _ in range(STAGE_RUNS):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best


def _paths(declarations: Sequence[Declaration]) -> dict[str, Callable[[], object]]:
    """The read path, stage by stage: each adds one part to the one before."""
    config = get_config()

    def read_and_encode() -> None:
        for declaration in declarations:
            encode(declaration.read(), config.max_value_bytes)

    in_place = dataclasses.replace(config, timeout=None)
    return {
        "value() and its JSON text, alone": read_and_encode,
        "the evaluator, reading in place (EXPVAR_TIMEOUT = None)": lambda: evaluator.evaluate(
            declarations, in_place
        ),
        "the evaluator, through the pool (the default)": lambda: evaluator.evaluate(
            declarations, config
        ),
        "resolve(): names decided": resolve,
        "resolve().body(): Go's layout": lambda: resolve().body(),
    }


def stages() -> list[Stage]:
    """Time the read path stage by stage at each of ``STAGE_SIZES``: the fastest of a few runs."""
    timed: dict[str, list[float]] = {}
    for size in STAGE_SIZES:
        registry = set_registry(trivial_registry(size))
        for label, call in _paths(registry.layout.declarations).items():
            timed.setdefault(label, []).append(_fastest(call))
    low, high = STAGE_SIZES[0], STAGE_SIZES[-1]
    return [Stage(label, (t[-1] - t[0]) / (high - low)) for label, t in timed.items()]


def run() -> Hotspots:
    """Time the stages; profile ``REQUESTS`` requests at ``SIZE`` variables (top own times)."""
    configure()
    original = get_registry()
    try:
        measured = stages()
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
        stages=measured,
    )
