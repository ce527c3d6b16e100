"""``EXPVAR_STORE``, read into one typed object; every way it can be wrong, with the fix.

A cache backend can hold shared counters when its ``incr`` and ``add`` are single atomic
operations on a server every process reaches, with signed 64-bit counters: Redis, through
Django's own backend or django-redis. Anything else would lose counts silently, so it is a check
error instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.utils.module_loading import import_string

from expvar.issues import Issue

LOCAL = "local"
CACHE = "cache"
KEYS = ("BACKEND", "ALIAS", "KEY_PREFIX", "FLUSH_INTERVAL", "TIMEOUT", "HEARTBEAT", "MAX_PENDING")
EXAMPLE = '{"BACKEND": "cache", "ALIAS": "default"}'
_PREFIX = re.compile(r"[A-Za-z0-9_.\-:]{1,64}")

Options = dict[str, Any]


def _redis(options: Options, timeout: float) -> Options:
    # No retries either: a retry would double the bound, and the buffer retries updates itself.
    bounded = {key: value for key, value in options.items() if key != "retry"}
    bounded.update(socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False)
    return bounded


def _django_redis(options: Options, timeout: float) -> Options:
    return {**options, "SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout}


def _disconnect_redis(cache: BaseCache) -> None:
    # Django's RedisCache keeps its connection pools open for the life of the process, and the
    # store's own instance is dropped when the store is replaced.
    for pool in list(getattr(getattr(cache, "_cache", None), "_pools", {}).values()):
        pool.disconnect()


@dataclass(frozen=True)
class Backend:
    """How to use a cache backend that can hold shared counters."""

    path: str
    # The alias's OPTIONS with every socket operation bounded by TIMEOUT.
    bound: Callable[[Options, float], Options]
    disconnect: Callable[[BaseCache], None] = BaseCache.close


SUITABLE = {
    backend.path: backend
    for backend in (
        Backend("django.core.cache.backends.redis.RedisCache", _redis, _disconnect_redis),
        Backend("django_redis.cache.RedisCache", _django_redis),
    )
}
_MEMCACHED = "keeps unsigned counters, which a decrement would wrap, and is not supported"
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


def _seconds(greatest: float, zero: bool = False) -> Callable[[Any], bool]:
    def valid(value: Any) -> bool:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return number and 0 <= value <= greatest and (zero or value > 0)  # NaN fails too

    return valid


# Each option: its check id, what it must be, whether a value is that, and the fix. The longest
# interval is a day: past it, waits overflow the platform's timers.
OPTIONS: dict[str, tuple[str, str, Callable[[Any], bool], str]] = {
    "KEY_PREFIX": (
        "expvar.E035",
        '1-64 letters, digits or "_.-:"',
        lambda value: isinstance(value, str) and bool(_PREFIX.fullmatch(value)),
        'Use one prefix per site that shares the cache server, e.g. "KEY_PREFIX": "shop-expvar".',
    ),
    "FLUSH_INTERVAL": (
        "expvar.E036",
        "a number of seconds greater than 0 and at most 86400",
        _seconds(86400),
        "Updates are kept in each process and written by a background thread every "
        "FLUSH_INTERVAL seconds, so that no request waits for the cache server; writing each "
        "update as it is made (0) is not offered. Use the default 1.0, or 0.1 for other "
        "processes to see updates sooner.",
    ),
    "TIMEOUT": (
        "expvar.E037",
        "a number of seconds greater than 0 and at most 30",
        _seconds(30),
        "It bounds each call to the cache server; the default is 0.5.",
    ),
    "HEARTBEAT": (
        "expvar.E038",
        "a number of seconds from 0 to 86400",
        _seconds(86400, zero=True),
        "Use 0 to list no processes, or the default 10.",
    ),
    "MAX_PENDING": (
        "expvar.E039",
        "a whole number >= 1",
        lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= 1,
        "It bounds how many different cells one process keeps while the cache server is away; "
        "the default is 10000.",
    ),
}


def parse_store(value: Any, caches: Any) -> tuple[StoreConfig, list[Issue]]:
    """Read ``EXPVAR_STORE``; with any issue, push variables count in this process only."""
    issues = _issues(value, caches)
    if issues or value == LOCAL or value.get("BACKEND") == LOCAL:
        return StoreConfig(issues=tuple(issues)), issues
    fields = {key.lower(): value.get(key, getattr(StoreConfig, key.lower())) for key in KEYS[1:]}
    how = classify(caches[fields["alias"]]["BACKEND"])
    assert not isinstance(how, str)  # else _issues() would have said so
    return StoreConfig(CACHE, **fields, cache=how), []


def _issues(value: Any, caches: Any) -> list[Issue]:
    if value == LOCAL:
        return []
    if not isinstance(value, dict):
        return [
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
        message = f"EXPVAR_STORE has unknown key(s) {', '.join(map(repr, unknown))}."
        issues.append(
            Issue("expvar.E032", message, f"The keys it understands are {', '.join(KEYS)}.")
        )
    backend = value.get("BACKEND")
    if backend == LOCAL:
        return issues
    if backend != CACHE:
        message = f'EXPVAR_STORE["BACKEND"] must be "local" or "cache", not {backend!r}.'
        issues.append(Issue("expvar.E031", message, f"Write for example EXPVAR_STORE = {EXAMPLE}."))
    alias = value.get("ALIAS", StoreConfig.alias)
    if not isinstance(alias, str) or not alias:
        issues.append(_not_a_cache(alias))
    for key, (check_id, what, valid, fix) in OPTIONS.items():
        option = value.get(key, getattr(StoreConfig, key.lower()))
        if not valid(option):
            message = f'EXPVAR_STORE["{key}"] must be {what}, not {option!r}.'
            issues.append(Issue(check_id, message, fix))
    if issues:
        return issues
    params = caches.get(alias) if isinstance(caches, dict) else None
    if not isinstance(params, dict):
        return [_not_a_cache(alias)]
    path = str(params.get("BACKEND", ""))
    how = classify(path)
    if isinstance(how, str):
        return [
            Issue(
                "expvar.E034",
                f"CACHES[{alias!r}] uses {path}, which {how}; push variables cannot be shared "
                "through it, and count in each process until it is fixed.",
                "Point the alias at django.core.cache.backends.redis.RedisCache (or django-redis), "
                'or set EXPVAR_STORE = "local" to count per process.',
            )
        ]
    return []


def _not_a_cache(alias: Any) -> Issue:
    return Issue(
        "expvar.E033",
        f'EXPVAR_STORE["ALIAS"] must name an entry of CACHES, not {alias!r}.',
        f"Add CACHES[{alias!r}] pointing at the Redis server every process shares, or name an "
        'existing alias (for example "ALIAS": "default").',
    )
