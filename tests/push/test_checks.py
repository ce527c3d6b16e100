from __future__ import annotations

from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from expvar.checks import check_settings
from tests.push.conftest import LOCMEM, REDIS_BACKEND

REDIS = {"BACKEND": REDIS_BACKEND, "LOCATION": "redis://127.0.0.1:6379/15"}


class MyLocMem(LocMemCache):
    pass


class MyRedis(RedisCache):
    pass


class Unknown:
    pass


def check_store() -> list[Any]:
    return [m for m in check_settings() if (m.id or "").startswith("expvar.E03")]


def ids(**settings: Any) -> list[str]:
    with override_settings(**settings):
        return [message.id or "" for message in check_store()]


def test_local_store_is_fine() -> None:
    assert ids(EXPVAR_STORE="local") == []
    assert ids(EXPVAR_STORE={"BACKEND": "local"}) == []


def test_redis_alias_is_fine() -> None:
    assert ids(CACHES={"default": REDIS}, EXPVAR_STORE={"BACKEND": "cache"}) == []


@pytest.mark.parametrize("value", ["redis", 3, ["cache"]])
def test_store_of_the_wrong_shape(value: object) -> None:
    assert ids(EXPVAR_STORE=value) == ["expvar.E030"]


def test_unknown_backend() -> None:
    assert ids(EXPVAR_STORE={"BACKEND": "redis"}) == ["expvar.E031"]


def test_unknown_keys_are_named() -> None:
    with override_settings(EXPVAR_STORE={"BACKEND": "local", "FLUSH": 1}):
        [message] = check_store()
    assert message.id == "expvar.E032"
    assert "'FLUSH'" in message.msg
    assert "FLUSH_INTERVAL" in (message.hint or "")


def test_alias_missing_from_caches() -> None:
    with override_settings(
        CACHES={"default": LOCMEM}, EXPVAR_STORE={"BACKEND": "cache", "ALIAS": "x"}
    ):
        [message] = check_store()
    assert message.id == "expvar.E033"
    assert "'x'" in message.msg


def test_alias_that_is_not_a_string() -> None:
    assert ids(EXPVAR_STORE={"BACKEND": "cache", "ALIAS": 1}) == ["expvar.E033"]


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", "own memory"),
        ("django.core.cache.backends.dummy.DummyCache", "stores nothing"),
        ("django.core.cache.backends.filebased.FileBasedCache", "lose counts"),
        ("django.core.cache.backends.db.DatabaseCache", "lose counts"),
        ("tests.push.test_checks.MyLocMem", "own memory"),
        ("django.core.cache.backends.memcached.PyMemcacheCache", "unsigned counters"),
        ("tests.push.test_checks.Nowhere", "cannot be imported"),
        ("tests.push.test_checks.Unknown", "not known to make incr() and add() atomic"),
    ],
)
def test_backends_that_cannot_share_counters(backend: str, reason: str) -> None:
    caches = {"default": LOCMEM, "shared": {"BACKEND": backend, "LOCATION": "x"}}
    with override_settings(CACHES=caches, EXPVAR_STORE={"BACKEND": "cache", "ALIAS": "shared"}):
        [message] = check_store()
    assert message.id == "expvar.E034"
    assert reason in message.msg
    assert "RedisCache" in (message.hint or "")


def test_subclass_of_redis_backend_is_fine() -> None:
    caches = {"default": {**REDIS, "BACKEND": "tests.push.test_checks.MyRedis"}}
    assert ids(CACHES=caches, EXPVAR_STORE={"BACKEND": "cache"}) == []


@pytest.mark.parametrize(
    ("key", "value", "check_id"),
    [
        ("KEY_PREFIX", "", "expvar.E035"),
        ("KEY_PREFIX", "has space", "expvar.E035"),
        ("KEY_PREFIX", 3, "expvar.E035"),
        ("FLUSH_INTERVAL", 0, "expvar.E036"),
        ("FLUSH_INTERVAL", -1, "expvar.E036"),
        ("FLUSH_INTERVAL", "1", "expvar.E036"),
        ("FLUSH_INTERVAL", float("nan"), "expvar.E036"),
        ("FLUSH_INTERVAL", 1e12, "expvar.E036"),
        ("TIMEOUT", 0, "expvar.E037"),
        ("TIMEOUT", 31, "expvar.E037"),
        ("TIMEOUT", True, "expvar.E037"),
        ("HEARTBEAT", -5, "expvar.E038"),
        ("HEARTBEAT", float("inf"), "expvar.E038"),
        ("HEARTBEAT", 86401, "expvar.E038"),
        ("MAX_PENDING", 0, "expvar.E039"),
        ("MAX_PENDING", 1.5, "expvar.E039"),
    ],
)
def test_bad_option_values(key: str, value: object, check_id: str) -> None:
    store = {"BACKEND": "cache", key: value}
    assert ids(CACHES={"default": REDIS}, EXPVAR_STORE=store) == [check_id]


def test_good_option_values() -> None:
    store = {
        "BACKEND": "cache",
        "KEY_PREFIX": "site-1:expvar",
        "FLUSH_INTERVAL": 0.25,
        "TIMEOUT": 0.25,
        "HEARTBEAT": 0,
        "MAX_PENDING": 100,
    }
    assert ids(CACHES={"default": REDIS}, EXPVAR_STORE=store) == []


def test_flush_interval_zero_says_why_and_what_to_use() -> None:
    store = {"BACKEND": "cache", "FLUSH_INTERVAL": 0}
    with override_settings(CACHES={"default": REDIS}, EXPVAR_STORE=store):
        [message] = check_store()
    assert message.id == "expvar.E036"
    assert "greater than 0" in message.msg
    assert "background thread" in (message.hint or "")
    assert "default 1.0" in (message.hint or "")


def test_checks_run_with_manage_py_check() -> None:
    from django.core import checks

    with override_settings(EXPVAR_STORE="nope"):
        assert "expvar.E030" in {m.id for m in checks.run_checks()}
