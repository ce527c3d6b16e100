from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import override_settings

from expvar.push.stores import Store, current, reset
from expvar.registry import get_registry

REDIS_URL = os.environ.get("EXPVAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def unique(stem: str = "v") -> str:
    return f"{stem}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(autouse=True)
def _forget_test_variables() -> Iterator[None]:
    # Variables a test creates are unpublished after it, so other tests see the site as it is.
    before = len(get_registry().pushed)
    yield
    get_registry().unpublish(get_registry().pushed[before:])


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}); set EXPVAR_TEST_REDIS_URL")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[Any]:
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def delete_prefix(client: Any, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"*{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def store_settings(location: str, prefix: str, **options: Any) -> dict[str, Any]:
    return {
        "CACHES": {
            "default": LOCMEM,
            "expvar_test": {"BACKEND": REDIS_BACKEND, "LOCATION": location},
        },
        "EXPVAR_STORE": {
            "BACKEND": "cache",
            "ALIAS": "expvar_test",
            "KEY_PREFIX": prefix,
            **options,
        },
    }


SharedStore = Callable[..., Any]


@pytest.fixture
def shared_store(redis_url: str, redis_client: Any) -> Iterator[SharedStore]:
    """Serve push variables from Redis, under a key prefix of the test's own."""
    prefixes: list[str] = []

    @contextmanager
    def use(location: str = redis_url, **options: Any) -> Generator[Store, None, None]:
        prefix = unique("test")
        prefixes.append(prefix)
        with override_settings(**store_settings(location, prefix, **options)):
            try:
                yield current()
            finally:
                reset()

    yield use
    for prefix in prefixes:
        delete_prefix(redis_client, prefix)
