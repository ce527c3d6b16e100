"""``EXPVAR_STORE``, read into one typed object; every way it can be wrong, with the fix.

A cache backend can hold shared counters when its ``incr`` and ``add`` are single atomic
operations on a server every process reaches, with signed 64-bit counters: Redis, through
Django's own backend or django-redis. Anything else would lose counts silently, so it is a check
error instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from expvar.issues import Issue

LOCAL = "local"
CACHE = "cache"
EXAMPLE = '{"BACKEND": "cache", "ALIAS": "default"}'

Options = dict[str, Any]
# The alias's OPTIONS with every socket operation bounded by TIMEOUT.
Bound = Callable[[Options, float], Options]


def _redis(options: Options, timeout: float) -> Options:
    # No retries either: a retry would double the bound, and the buffer retries updates itself.
    bounded = {key: value for key, value in options.items() if key != "retry"}
    bounded.update(socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False)
    return bounded


def _django_redis(options: Options, timeout: float) -> Options:
    return {**options, "SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout}


_MEMCACHED = "keeps unsigned counters, which a decrement would wrap, and is not supported"
_READ_WRITE_BACK = "implements incr() as read, add, write back, so concurrent processes lose counts"
# Each known backend: how to bound its calls, or why it cannot hold shared counters.
BACKENDS: dict[str, Bound | str] = {
    "django.core.cache.backends.redis.RedisCache": _redis,
    "django_redis.cache.RedisCache": _django_redis,
    "django.core.cache.backends.locmem.LocMemCache": (
        "keeps its values in each process's own memory, so workers would not add up"
    ),
    "django.core.cache.backends.dummy.DummyCache": "stores nothing",
    "django.core.cache.backends.filebased.FileBasedCache": _READ_WRITE_BACK,
    "django.core.cache.backends.db.DatabaseCache": _READ_WRITE_BACK,
    "django.core.cache.backends.memcached.PyMemcacheCache": _MEMCACHED,
    "django.core.cache.backends.memcached.PyLibMCCache": _MEMCACHED,
}
SUITABLE = [path for path, how in BACKENDS.items() if not isinstance(how, str)]


def classify(path: str) -> Bound | str:
    """Return how to bound the calls of the backend at ``path``, or why it cannot be used."""
    how = BACKENDS.get(path)
    if how is None:
        try:
            cls = import_string(path)
        except ImportError as exc:
            return f"cannot be imported ({exc})"
        # A subclass of a known backend is taken to behave like it.
        bases = (f"{base.__module__}.{base.__qualname__}" for base in getattr(cls, "__mro__", ()))
        how = next((BACKENDS[base] for base in bases if base in BACKENDS), None)
    if how is None:
        return (
            "is not known to make incr() and add() atomic on a server every process shares "
            f"(known: {', '.join(SUITABLE)})"
        )
    return how


@dataclass(frozen=True)
class StoreConfig:
    backend: str = LOCAL
    alias: str = "default"
    key_prefix: str = "expvar"
    flush_interval: float = 1.0
    timeout: float = 0.5
    heartbeat: float = 10.0
    max_pending: int = 10_000
    # How to bound the calls of the alias's backend (CACHE only).
    bound: Bound | None = None
    # What was wrong with the setting, if anything: the store is then this process's.
    issues: tuple[Issue, ...] = ()


def _seconds(greatest: float, zero: bool = False) -> Callable[[Any], bool]:
    def valid(value: Any) -> bool:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return number and 0 <= value <= greatest and (zero or value > 0)  # NaN fails too

    return valid


_PREFIX = re.compile(r"[A-Za-z0-9_.\-:]{1,64}")
# Each option beside BACKEND: its check id, what it must be, whether a value is that, and the
# fix. The longest interval is a day: past it, waits overflow the platform's timers.
OPTIONS: dict[str, tuple[str, str, Callable[[Any], bool], str]] = {
    "ALIAS": (
        "expvar.E033",
        "name an entry of CACHES",
        lambda value: isinstance(value, str) and bool(value),
        "Add that entry to CACHES, pointing at the Redis server every process shares, or name "
        'an existing one (for example "ALIAS": "default").',
    ),
    "KEY_PREFIX": (
        "expvar.E035",
        'be 1-64 letters, digits or "_.-:"',
        lambda value: isinstance(value, str) and bool(_PREFIX.fullmatch(value)),
        'Use one prefix per site that shares the cache server, e.g. "KEY_PREFIX": "shop-expvar".',
    ),
    "FLUSH_INTERVAL": (
        "expvar.E036",
        "be a number of seconds greater than 0 and at most 86400",
        _seconds(86400),
        "Updates are written by a background thread, so that no request waits for the cache "
        "server; 0 is not offered. Use the default 1.0, or 0.1 to see updates sooner.",
    ),
    "TIMEOUT": (
        "expvar.E037",
        "be a number of seconds greater than 0 and at most 30",
        _seconds(30),
        "It bounds each call to the cache server; the default is 0.5.",
    ),
    "HEARTBEAT": (
        "expvar.E038",
        "be a number of seconds from 0 to 86400",
        _seconds(86400, zero=True),
        "Use 0 to list no processes, or the default 10.",
    ),
    "MAX_PENDING": (
        "expvar.E039",
        "be a whole number >= 1",
        lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= 1,
        "It bounds the cells one process keeps while the server is away; the default is 10000.",
    ),
}
KEYS = ("BACKEND", *OPTIONS)


def parse_store(value: Any, caches: Any) -> tuple[StoreConfig, list[Issue]]:
    """Read ``EXPVAR_STORE``; with any issue, push variables count in this process only."""
    if value == LOCAL:
        return StoreConfig(), []
    if not isinstance(value, dict):
        message = f'EXPVAR_STORE must be "local" or a dict, not {value!r}.'
        fix = f"Remove it to count in each process, or share counts with EXPVAR_STORE = {EXAMPLE}."
        return _local([Issue("expvar.E030", message, fix)])
    issues: list[Issue] = []
    unknown = ", ".join(repr(str(key)) for key in sorted(value, key=str) if key not in KEYS)
    if unknown:
        message, fix = f"EXPVAR_STORE has unknown key(s) {unknown}.", ", ".join(KEYS)
        issues.append(Issue("expvar.E032", message, f"The keys it understands are {fix}."))
    backend = value.get("BACKEND")
    if backend == LOCAL:
        return _local(issues)
    if backend != CACHE:
        message = f'EXPVAR_STORE["BACKEND"] must be "local" or "cache", not {backend!r}.'
        issues.append(Issue("expvar.E031", message, f"Write for example EXPVAR_STORE = {EXAMPLE}."))
    options = {key: value.get(key, getattr(StoreConfig, key.lower())) for key in OPTIONS}
    issues += [
        _wrong(key, option) for key, option in options.items() if not OPTIONS[key][2](option)
    ]
    alias = options["ALIAS"]
    params = caches.get(alias) if isinstance(caches, dict) and not issues else None
    if issues or not isinstance(params, dict):
        return _local(issues or [_wrong("ALIAS", alias)])
    path = str(params.get("BACKEND", ""))
    how = classify(path)
    if isinstance(how, str):
        message = (
            f"CACHES[{alias!r}] uses {path}, which {how}; push variables cannot be shared "
            "through it, and count in each process until it is fixed."
        )
        fix = (
            "Point the alias at django.core.cache.backends.redis.RedisCache (or django-redis), "
            'or set EXPVAR_STORE = "local" to count per process.'
        )
        return _local([Issue("expvar.E034", message, fix)])
    fields = {key.lower(): option for key, option in options.items()}
    return StoreConfig(CACHE, **fields, bound=how), []


def _local(issues: list[Issue]) -> tuple[StoreConfig, list[Issue]]:
    return StoreConfig(issues=tuple(issues)), issues


def _wrong(key: str, value: Any) -> Issue:
    check_id, what, _, fix = OPTIONS[key]
    return Issue(check_id, f'EXPVAR_STORE["{key}"] must {what}, not {value!r}.', fix)
