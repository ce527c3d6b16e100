"""Where a ``/debug/vars`` request spends its time: layer by layer, and under cProfile.

The layers are timed without a profiler, each adding one stage of the request to the one
before, so their differences are what each stage costs. cProfile then names the functions.
Values are read on the evaluator's worker thread: from Python 3.12 cProfile sees every thread
(it is built on ``sys.monitoring``); before that it sees only the request thread, and says so.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import endpoint
from benchmarks.timing import Timing, measure
from expvar.registry import get_registry, set_registry

SIZES = (100, 10_000)
LAYER_SIZE = 10_000
# The same value() calls on a smaller registry: how a loop with none of the project's code in it
# scales, to tell cache effects from work that grows with N.
SMALL_LAYER_SIZE = 1_000
# Stages are timed in turn, pass after pass, and each keeps its least disturbed pass: the
# differences between stages are small next to what other work on the machine can add.
LAYER_PASSES = 3
TOP = 15


@dataclass(frozen=True)
class Row:
    function: str
    calls: int
    tottime_per_request_s: float
    cumtime_per_request_s: float


@dataclass(frozen=True)
class Profile:
    count: int
    requests: int
    rows: list[Row]
    worker_profiled: bool


@dataclass(frozen=True)
class Layer:
    """One stage of a request, timed together with every stage before it."""

    stage: str
    timing: Timing


@dataclass(frozen=True)
class Layers:
    count: int
    layers: list[Layer]
    handoff: Timing | None
    inline: Timing | None
    error: str | None = None
    calls_small: Timing | None = None
    small_count: int = SMALL_LAYER_SIZE


def layers(count: int = LAYER_SIZE) -> Layers:
    """Time each stage of serving ``count`` trivial variables, and the worker hand-off alone.

    It calls the core's own functions, so if the lead renames them this reports why, instead
    of failing the whole run.
    """
    from expvar.conf import DEFAULT_TIMEOUT
    from expvar.evaluation import evaluator
    from expvar.resolution import _max_bytes, resolve

    endpoint.configure()
    original = get_registry()
    try:
        registry = endpoint.trivial_registry(count)
        set_registry(registry)
        declarations = registry.declarations
        max_bytes = _max_bytes()
        # timeout=None reads in the calling thread; a number hands the reads to the worker.
        stages: list[tuple[str, Any]] = [
            ("value() calls alone", lambda: [d.read() for d in declarations]),
            (
                "+ encoding and outcomes, read inline (evaluate, timeout None)",
                lambda: evaluator.evaluate(declarations, None, max_bytes),
            ),
            (
                "+ reading on the worker thread (evaluate, timeout 2 s)",
                lambda: evaluator.evaluate(declarations, DEFAULT_TIMEOUT, max_bytes),
            ),
            ("+ name rules (resolve)", resolve),
            ("+ Go's layout (Resolution.body)", lambda: resolve().body()),
        ]
        passes = [
            [measure(stage, func, rounds=5, warmup=1) for stage, func in stages]
            for _ in range(LAYER_PASSES)
        ]
        timed = [
            Layer(stage, min((timings[index] for timings in passes), key=_median))
            for index, (stage, _) in enumerate(stages)
        ]
        one = declarations[:1]
        handoff = measure(
            "one variable through the worker",
            lambda: evaluator.evaluate(one, DEFAULT_TIMEOUT, max_bytes),
        )
        inline = measure("one variable inline", lambda: evaluator.evaluate(one, None, max_bytes))
        small = endpoint.trivial_registry(SMALL_LAYER_SIZE).declarations
        calls_small = min(
            (
                measure(
                    f"value() calls alone, {SMALL_LAYER_SIZE:,} variables",
                    lambda: [d.read() for d in small],
                    rounds=5,
                    warmup=1,
                )
                for _ in range(LAYER_PASSES)
            ),
            key=_median,
        )
    except (AttributeError, ImportError, TypeError) as exc:
        return Layers(count, [], None, None, f"{type(exc).__name__}: {exc}")
    finally:
        set_registry(original)
    return Layers(count, timed, handoff, inline, calls_small=calls_small)


def _median(timing: Timing) -> float:
    return timing.median_s


# Where this checkout is, so the project's own files are named from its root.
_REPOSITORY = str(Path(__file__).resolve().parent.parent) + os.sep


def _label(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    for marker in ("/site-packages/", _REPOSITORY, "/lib/python"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({name})"


def profile(count: int, requests: int) -> Profile:
    """Profile ``requests`` GETs of ``/debug/vars`` with ``count`` trivial variables."""
    endpoint.configure()
    original = get_registry()
    try:
        endpoint.install(count)
        call = endpoint.WsgiCall(endpoint.wsgi_application(), endpoint.ENDPOINT_PATH)
        for _ in range(3):
            call()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            call()
        profiler.disable()
    finally:
        set_registry(original)
    stats = pstats.Stats(profiler, stream=io.StringIO())
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:TOP]
    rows = [
        Row(
            function=_label(key),
            calls=round(calls / requests),
            tottime_per_request_s=tottime / requests,
            cumtime_per_request_s=cumtime / requests,
        )
        for key, (_primitive, calls, tottime, cumtime, _callers) in ranked
    ]
    return Profile(
        count=count, requests=requests, rows=rows, worker_profiled=sys.version_info >= (3, 12)
    )


def run(sizes: tuple[int, ...] = SIZES) -> list[Profile]:
    # About a second of profiled requests per size.
    return [profile(count, max(10, 100_000 // count)) for count in sizes]
