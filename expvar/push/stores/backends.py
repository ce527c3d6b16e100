"""Which Django cache backends can hold shared counters, and how to bound their calls.

A backend qualifies when its ``incr`` and ``add`` are single atomic operations on a server every
process reaches, with signed 64-bit counters: Redis, through Django's own backend or
django-redis. Anything else would lose counts silently, so it is a check error instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.utils.module_loading import import_string

Options = dict[str, Any]


def _redis(options: Options, timeout: float) -> Options:
    # No retries either: a retry would double the bound, and updates are retried by the buffer.
    bounded = {key: value for key, value in options.items() if key != "retry"}
    bounded.update(socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False)
    return bounded


def _django_redis(options: Options, timeout: float) -> Options:
    return {**options, "SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout}


def _disconnect_redis(cache: BaseCache) -> None:
    # Django's RedisCache keeps its connection pools open for the life of the process; the
    # store's own instance is dropped when the store is replaced, so it closes them itself.
    client = getattr(cache, "_cache", None)
    for pool in list(getattr(client, "_pools", {}).values()):
        pool.disconnect()


def _close(cache: BaseCache) -> None:
    cache.close()


@dataclass(frozen=True)
class Backend:
    path: str
    bound: Callable[[Options, float], Options]
    disconnect: Callable[[BaseCache], None] = _close


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
UNSUITABLE = {
    "django.core.cache.backends.locmem.LocMemCache": (
        "keeps its values in each process's own memory, so workers would not add up"
    ),
    "django.core.cache.backends.dummy.DummyCache": "stores nothing",
    "django.core.cache.backends.filebased.FileBasedCache": (
        "implements incr() as read, add, write back, so concurrent processes lose counts"
    ),
    "django.core.cache.backends.db.DatabaseCache": (
        "implements incr() as read, add, write back, so concurrent processes lose counts"
    ),
    "django.core.cache.backends.memcached.PyMemcacheCache": _MEMCACHED,
    "django.core.cache.backends.memcached.PyLibMCCache": _MEMCACHED,
}


def classify(path: str) -> Backend | str:
    """Return how to use the backend at ``path``, or why it cannot hold shared counters."""
    if path in SUITABLE:
        return SUITABLE[path]
    if path in UNSUITABLE:
        return UNSUITABLE[path]
    try:
        cls = import_string(path)
    except ImportError as exc:
        return f"cannot be imported ({exc})"
    # A subclass of a known backend is taken to behave like it.
    for known, reason in UNSUITABLE.items():
        if issubclass(cls, import_string(known)):
            return reason
    for known, backend in SUITABLE.items():
        try:
            base = import_string(known)
        except ImportError:
            continue
        if issubclass(cls, base):
            return Backend(path, backend.bound, backend.disconnect)
    return (
        "is not known to make incr() and add() atomic on a server every process shares "
        f"(known: {', '.join(SUITABLE)})"
    )
