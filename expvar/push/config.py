"""``EXPVAR_STORE``, read into one typed object; every way it can be wrong, with the fix.

A cache backend can hold shared counters when its ``incr`` and ``add`` are single atomic
operations on a server every process reaches, with signed 64-bit counters: Redis, through
Django's own backend or django-redis. Anything else would lose counts silently, so it is a check
error instead.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.utils.module_loading import import_string

from expvar.issues import Issue

LOCAL = "local"
CACHE = "cache"
KEYS = ("BACKEND", "ALIAS", "KEY_PREFIX", "FLUSH_INTERVAL", "TIMEOUT", "HEARTBEAT", "MAX_PENDING")
EXAMPLE = '{"BACKEND": "cache", "ALIAS": "default"}'
# The longest interval a setting may give: past it, waits overflow the platform's timers.
LONGEST = 86400.0
# Each setting in seconds: its check id, whether 0 is allowed, its greatest value, what it is.
SECONDS = {
    "FLUSH_INTERVAL": (
        "expvar.E036",
        True,
        LONGEST,
        "Use 0 to write every update at once, or a few seconds (default 1.0) to batch "
        "updates in each process.",
    ),
    "TIMEOUT": (
        "expvar.E037",
        False,
        30.0,
        "It bounds each call to the cache server; the default is 0.5.",
    ),
    "HEARTBEAT": ("expvar.E038", True, LONGEST, "Use 0 to list no processes, or the default 10."),
}

_PREFIX = re.compile(r"[A-Za-z0-9_.\-:]{1,64}")

Options = dict[str, Any]


def _redis(options: Options, timeout: float) -> Options:
    # No retries either: a retry would double the bound, and updates are retried by the buffer.
    bounded = {key: value for key, value in options.items() if key != "retry"}
    bounded.update(socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False)
    return {**_short_handshake(), **bounded}


@lru_cache(maxsize=1)
def _short_handshake() -> Options:
    # redis-py 8 opens a connection with HELLO, CLIENT MAINT_NOTIFICATIONS and two CLIENT
    # SETINFO before SELECT: four round trips the store has no use for, each bounded by TIMEOUT
    # alone, paid on every connect and so by a write-through request that opens one. Only
    # versions that know an option are given it; the alias's own OPTIONS still win.
    try:
        from redis.connection import AbstractConnection
    except ImportError:  # redis-py before 5: none of these exist
        return {}
    known = inspect.signature(AbstractConnection.__init__).parameters
    options: Options = {}
    if "protocol" in known:
        options["protocol"] = 2
    if "driver_info" in known:
        options["driver_info"] = None
    return options


def _django_redis(options: Options, timeout: float) -> Options:
    return {**options, "SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout}


def _disconnect_redis(cache: BaseCache) -> None:
    # Django's RedisCache keeps its connection pools open for the life of the process; the
    # store's own instance is dropped when the store is replaced, so it closes them itself.
    client = getattr(cache, "_cache", None)
    for pool in list(getattr(client, "_pools", {}).values()):
        pool.disconnect()


@dataclass(frozen=True)
class Backend:
    """How to use a cache backend that can hold shared counters."""

    path: str
    bound: Callable[[Options, float], Options]
    disconnect: Callable[[BaseCache], None] = BaseCache.close


SUITABLE = {
    backend.path: backend
    for backend in (
        Backend("django.core.cache.backends.redis.RedisCache", _redis, _disconnect_redis),
        Backend("django_redis.cache.RedisCache", _django_redis),
    )
}

_MEMCACHED = (
    "keeps unsigned counters, which a decrement would wrap, and is not supported for shared "
    "counters"
)
_READ_WRITE_BACK = "implements incr() as read, add, write back, so concurrent processes lose counts"
UNSUITABLE = {
    "django.core.cache.backends.locmem.LocMemCache": (
        "keeps its values in each process's own memory, so workers would not add up"
    ),
    "django.core.cache.backends.dummy.DummyCache": "stores nothing",
    "django.core.cache.backends.filebased.FileBasedCache": _READ_WRITE_BACK,
    "django.core.cache.backends.db.DatabaseCache": _READ_WRITE_BACK,
    "django.core.cache.backends.memcached.PyMemcacheCache": _MEMCACHED,
    "django.core.cache.backends.memcached.PyLibMCCache": _MEMCACHED,
}


def classify(path: str) -> Backend | str:
    """Return how to use the backend at ``path``, or why it cannot hold shared counters."""
    known: dict[str, Backend | str] = {**UNSUITABLE, **SUITABLE}
    if path in known:
        return known[path]
    try:
        cls = import_string(path)
    except ImportError as exc:
        return f"cannot be imported ({exc})"
    # A subclass of a known backend is taken to behave like it.
    for base_path, how in known.items():
        try:
            base = import_string(base_path)
        except ImportError:  # django-redis is not installed
            continue
        if issubclass(cls, base):
            return how if isinstance(how, str) else replace(how, path=path)
    return (
        "is not known to make incr() and add() atomic on a server every process shares "
        f"(known: {', '.join(SUITABLE)})"
    )


@dataclass(frozen=True)
class StoreConfig:
    backend: str = LOCAL
    alias: str = "default"
    key_prefix: str = "expvar"
    flush_interval: float = 1.0
    timeout: float = 0.5
    heartbeat: float = 10.0
    max_pending: int = 10_000
    # How to use the alias's cache backend (CACHE only).
    cache: Backend | None = None
    # What was wrong with the setting, if anything: the store is then this process's.
    issues: tuple[Issue, ...] = ()


def parse_store(value: Any, caches: Any) -> tuple[StoreConfig, list[Issue]]:
    """Read ``EXPVAR_STORE``; with any issue, push variables count in this process only."""
    config, issues = _parse(value, caches)
    return config or StoreConfig(issues=tuple(issues)), issues


def _parse(value: Any, caches: Any) -> tuple[StoreConfig | None, list[Issue]]:
    if value == LOCAL:
        return StoreConfig(), []
    if not isinstance(value, dict):
        return None, [
            Issue(
                "expvar.E030",
                f'EXPVAR_STORE must be "local" or a dict, not {value!r}.',
                f"Remove it to keep counts in each process, or set EXPVAR_STORE = {EXAMPLE} "
                "to share them through a cache alias.",
            )
        ]
    issues: list[Issue] = []
    unknown = sorted(str(key) for key in value if key not in KEYS)
    if unknown:
        issues.append(
            Issue(
                "expvar.E032",
                f"EXPVAR_STORE has unknown key(s) {', '.join(map(repr, unknown))}.",
                f"The keys it understands are {', '.join(KEYS)}.",
            )
        )
    backend = value.get("BACKEND")
    if backend == LOCAL:
        return (StoreConfig(), []) if not issues else (None, issues)
    if backend != CACHE:
        issues.append(
            Issue(
                "expvar.E031",
                f'EXPVAR_STORE["BACKEND"] must be "local" or "cache", not {backend!r}.',
                f"Write for example EXPVAR_STORE = {EXAMPLE}.",
            )
        )
    defaults = StoreConfig()
    alias = value.get("ALIAS", defaults.alias)
    if not isinstance(alias, str) or not alias:
        issues.append(_not_a_cache(alias))
    prefix = value.get("KEY_PREFIX", defaults.key_prefix)
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        issues.append(
            Issue(
                "expvar.E035",
                f'EXPVAR_STORE["KEY_PREFIX"] must be 1-64 letters, digits or "_.-:", '
                f"not {prefix!r}.",
                'Use one prefix per site that shares the cache server, e.g. "KEY_PREFIX": '
                '"shop-expvar".',
            )
        )
    seconds: dict[str, Any] = {}
    for key, (check_id, zero_ok, greatest, fix) in SECONDS.items():
        number = value.get(key, getattr(defaults, key.lower()))
        plain = isinstance(number, (int, float)) and not isinstance(number, bool)
        if plain and 0 <= number <= greatest and (number or zero_ok):  # NaN is out of range
            seconds[key.lower()] = float(number)
            continue
        span = (
            f"from 0 to {greatest:.0f}" if zero_ok else f"greater than 0 and at most {greatest:.0f}"
        )
        issues.append(
            Issue(
                check_id,
                f'EXPVAR_STORE["{key}"] must be a number of seconds {span}, not {value[key]!r}.',
                fix,
            )
        )
    max_pending = value.get("MAX_PENDING", defaults.max_pending)
    if not isinstance(max_pending, int) or isinstance(max_pending, bool) or max_pending < 1:
        issues.append(
            Issue(
                "expvar.E039",
                f'EXPVAR_STORE["MAX_PENDING"] must be a whole number >= 1, not {max_pending!r}.',
                "It bounds how many different cells one process keeps while the cache server "
                "is away; the default is 10000.",
            )
        )
    if issues:
        return None, issues
    params = caches.get(alias) if isinstance(caches, dict) else None
    if not isinstance(params, dict):
        return None, [_not_a_cache(alias)]
    path = str(params.get("BACKEND", ""))
    how = classify(path)
    if isinstance(how, str):
        return None, [
            Issue(
                "expvar.E034",
                f"CACHES[{alias!r}] uses {path}, which {how}; push variables cannot be shared "
                "through it, and count in each process until it is fixed.",
                "Point the alias at django.core.cache.backends.redis.RedisCache (or django-redis), "
                'or set EXPVAR_STORE = "local" to count per process.',
            )
        ]
    return StoreConfig(CACHE, alias, prefix, **seconds, max_pending=max_pending, cache=how), []


def _not_a_cache(alias: Any) -> Issue:
    return Issue(
        "expvar.E033",
        f'EXPVAR_STORE["ALIAS"] must name an entry of CACHES, not {alias!r}.',
        f"Add CACHES[{alias!r}] pointing at the Redis server every process "
        'shares, or name an existing alias (for example "ALIAS": "default").',
    )
