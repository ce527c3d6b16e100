"""``EXPVAR_STORE``, read into one typed object; every way it can be wrong, with the fix."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from expvar.issues import Issue
from expvar.push.stores.backends import Backend, classify

LOCAL = "local"
CACHE = "cache"

DEFAULT_ALIAS = "default"
DEFAULT_KEY_PREFIX = "expvar"
DEFAULT_FLUSH_INTERVAL = 1.0
DEFAULT_TIMEOUT = 0.5
DEFAULT_HEARTBEAT = 10.0
DEFAULT_MAX_PENDING = 10_000

# The longest interval a setting may give: past it, waits overflow the platform's timers.
LONGEST = 86400.0
KEYS = ("BACKEND", "ALIAS", "KEY_PREFIX", "FLUSH_INTERVAL", "TIMEOUT", "HEARTBEAT", "MAX_PENDING")

_PREFIX = re.compile(r"[A-Za-z0-9_.\-:]{1,64}")


@dataclass(frozen=True)
class StoreConfig:
    backend: str = LOCAL
    alias: str = DEFAULT_ALIAS
    key_prefix: str = DEFAULT_KEY_PREFIX
    flush_interval: float = DEFAULT_FLUSH_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    heartbeat: float = DEFAULT_HEARTBEAT
    max_pending: int = DEFAULT_MAX_PENDING
    # How to use the alias's cache backend (CACHE only).
    cache: Backend | None = None
    # What was wrong with the setting, if anything: the store is then this process's.
    issues: tuple[Issue, ...] = ()


EXAMPLE = '{"BACKEND": "cache", "ALIAS": "default"}'


def parse_store(value: Any, caches: Any) -> tuple[StoreConfig, list[Issue]]:
    """Read ``EXPVAR_STORE``; with any issue, push variables count in this process only."""
    config, issues = _parse(value)
    if config is not None and config.backend == CACHE:
        backend, issues = _cache_backend(config.alias, caches)
        config = replace(config, cache=backend) if backend is not None else None
    return config or StoreConfig(issues=tuple(issues)), issues


def _parse(value: Any) -> tuple[StoreConfig | None, list[Issue]]:
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
    alias = value.get("ALIAS", DEFAULT_ALIAS)
    if not isinstance(alias, str) or not alias:
        issues.append(_not_a_cache(alias))
    prefix = value.get("KEY_PREFIX", DEFAULT_KEY_PREFIX)
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
    flush = _number(value, "FLUSH_INTERVAL", DEFAULT_FLUSH_INTERVAL, allow_zero=True)
    if flush is None:
        issues.append(
            Issue(
                "expvar.E036",
                f'EXPVAR_STORE["FLUSH_INTERVAL"] must be a number of seconds from 0 to 86400, '
                f"not {value['FLUSH_INTERVAL']!r}.",
                "Use 0 to write every update at once, or a few seconds (default 1.0) to batch "
                "updates in each process.",
            )
        )
    timeout = _number(value, "TIMEOUT", DEFAULT_TIMEOUT, allow_zero=False)
    if timeout is None or timeout > 30:
        issues.append(
            Issue(
                "expvar.E037",
                f'EXPVAR_STORE["TIMEOUT"] must be a number of seconds greater than 0 and at '
                f"most 30, not {value['TIMEOUT']!r}.",
                "It bounds each call to the cache server; the default is 0.5.",
            )
        )
    heartbeat = _number(value, "HEARTBEAT", DEFAULT_HEARTBEAT, allow_zero=True)
    if heartbeat is None:
        issues.append(
            Issue(
                "expvar.E038",
                f'EXPVAR_STORE["HEARTBEAT"] must be a number of seconds from 0 to 86400, '
                f"not {value['HEARTBEAT']!r}.",
                "Use 0 to list no processes, or the default 10.",
            )
        )
    max_pending = value.get("MAX_PENDING", DEFAULT_MAX_PENDING)
    if not isinstance(max_pending, int) or isinstance(max_pending, bool) or max_pending < 1:
        issues.append(
            Issue(
                "expvar.E039",
                f'EXPVAR_STORE["MAX_PENDING"] must be a whole number >= 1, not {max_pending!r}.',
                "It bounds how many different cells one process keeps while the cache server "
                "is away; the default is 10000.",
            )
        )
    if issues or flush is None or timeout is None or heartbeat is None:
        return None, issues
    return (
        StoreConfig(
            backend=CACHE,
            alias=alias,
            key_prefix=prefix,
            flush_interval=flush,
            timeout=timeout,
            heartbeat=heartbeat,
            max_pending=max_pending,
        ),
        [],
    )


def _number(value: dict[Any, Any], key: str, default: float, *, allow_zero: bool) -> float | None:
    number = value.get(key, default)
    if not isinstance(number, (int, float)) or isinstance(number, bool) or number != number:
        return None
    if number < 0 or (number == 0 and not allow_zero) or number > LONGEST:
        return None
    return float(number)


def _not_a_cache(alias: Any) -> Issue:
    return Issue(
        "expvar.E033",
        f'EXPVAR_STORE["ALIAS"] must name an entry of CACHES, not {alias!r}.',
        f"Add CACHES[{alias!r}] pointing at the Redis server every process "
        'shares, or name an existing alias (for example "ALIAS": "default").',
    )


def _cache_backend(alias: str, caches: Any) -> tuple[Backend | None, list[Issue]]:
    params = caches.get(alias) if isinstance(caches, dict) else None
    if not isinstance(params, dict):
        return None, [_not_a_cache(alias)]
    path = str(params.get("BACKEND", ""))
    backend = classify(path)
    if isinstance(backend, Backend):
        return backend, []
    return None, [
        Issue(
            "expvar.E034",
            f"CACHES[{alias!r}] uses {path}, which {backend}; push variables cannot be shared "
            "through it, and count in each process until it is fixed.",
            "Point the alias at django.core.cache.backends.redis.RedisCache (or django-redis), "
            'or set EXPVAR_STORE = "local" to count per process.',
        )
    ]
