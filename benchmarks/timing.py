"""Repeatable timing: warm up, then several rounds of many calls, report median and spread."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    label: str
    median_s: float
    low_s: float
    high_s: float
    rounds: int
    calls_per_round: int

    @property
    def median_us(self) -> float:
        return self.median_s * 1e6

    def describe(self) -> str:
        return (
            f"{self.label}: median {_human(self.median_s)} "
            f"(rounds {self.rounds} x {self.calls_per_round}, "
            f"spread {_human(self.low_s)} .. {_human(self.high_s)})"
        )


def measure(
    label: str,
    func: Callable[[], object],
    *,
    rounds: int = 15,
    min_round_s: float = 0.05,
    warmup: int = 3,
) -> Timing:
    """Time one call of ``func``: per-call seconds, as the median over ``rounds`` rounds."""
    for _ in range(warmup):
        func()
    calls = _calls_per_round(func, min_round_s)
    per_call = []
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(rounds):
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            for _ in range(calls):
                func()
            per_call.append((time.perf_counter() - start) / calls)
            if gc_was_enabled:
                gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    per_call.sort()
    return Timing(
        label=label,
        median_s=statistics.median(per_call),
        low_s=per_call[len(per_call) // 10],
        high_s=per_call[-1 - len(per_call) // 10],
        rounds=rounds,
        calls_per_round=calls,
    )


def _calls_per_round(func: Callable[[], object], min_round_s: float) -> int:
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            func()
        if time.perf_counter() - start >= min_round_s or calls >= 1_000_000:
            return calls
        calls *= 2


def _human(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e3:.2f} ms"
