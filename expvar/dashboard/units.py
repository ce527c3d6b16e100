"""Guess a number's unit from its name, and say the number readably: bytes and durations."""

from __future__ import annotations

import functools
import re
import sys

BYTES = "bytes"
KIBIBYTES = "KiB"
NANOSECONDS = "ns"
SECONDS = "s"

# Go's runtime.MemStats fields that count bytes (the ones expvar.contrib.memstats publishes).
MEMSTATS_BYTES = frozenset(
    [
        "Alloc",
        "TotalAlloc",
        "Sys",
        "HeapAlloc",
        "HeapSys",
        "HeapIdle",
        "HeapInuse",
        "HeapReleased",
        "StackInuse",
        "StackSys",
        "MSpanInuse",
        "MSpanSys",
        "MCacheInuse",
        "MCacheSys",
        "BuckHashSys",
        "GCSys",
        "OtherSys",
        "NextGC",
    ]
)
_BYTES_NAME = re.compile(r"(?:^|_)bytes$|[a-z]Bytes$|(?:^|_)rss$", re.IGNORECASE)
_NS_NAME = re.compile(r"(?:^|_)ns$|[a-z]Ns$")
_SECONDS_NAME = re.compile(r"(?:^|_)(?:seconds|secs)$|^[us]time$|^latency$")
# Under a "latency" key, these are durations in seconds (expvar.contrib.http's histogram).
_LATENCY_FIGURES = frozenset(
    ["sum", "mean", "avg", "min", "max", "p50", "p75", "p90", "p95", "p99", "p999"]
)
# getrusage's ru_maxrss is in KiB on Linux, in bytes on macOS.
_MAXRSS = BYTES if sys.platform == "darwin" else KIBIBYTES


@functools.lru_cache(maxsize=4096)
def unit_of(key: str, parent: str = "") -> str | None:
    """Return the unit a number named ``key`` (inside ``parent``) counts in, if its name says."""
    if key == "maxrss":
        return _MAXRSS
    if key in MEMSTATS_BYTES or _BYTES_NAME.search(key):
        return BYTES
    if _NS_NAME.search(key):
        return NANOSECONDS
    if _SECONDS_NAME.search(key) or (parent == "latency" and key in _LATENCY_FIGURES):
        return SECONDS
    return None


def readable(value: float, unit: str) -> str:
    """Say ``value`` (counted in ``unit``) in the largest unit that keeps it above one."""
    if unit in (BYTES, KIBIBYTES):
        return _bytes(value * 1024 if unit == KIBIBYTES else value)
    return _duration(value / 1e9 if unit == NANOSECONDS else value)


def _bytes(value: float) -> str:
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
    step = 0
    while abs(value) >= 1024 and step < len(units) - 1:
        value /= 1024
        step += 1
    return f"{value:.0f} B" if step == 0 else f"{value:.1f} {units[step]}"


def _duration(seconds: float) -> str:
    size = abs(seconds)
    if size == 0:
        return "0 s"
    if size < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if size < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if size < 1:
        return f"{seconds * 1e3:.1f} ms"
    if size < 120:
        return f"{seconds:.2f} s"
    if size < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
