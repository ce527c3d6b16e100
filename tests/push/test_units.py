"""The store's parts on their own: the update buffer, the health rule, backends, config."""

from __future__ import annotations

import logging
from fractions import Fraction

import pytest

from expvar.push import keys
from expvar.push.buffer import ADD, DELETE, SET, Buffer, apply, combine
from expvar.push.config import SUITABLE, classify, parse_store
from expvar.push.health import Health, is_transport_error
from expvar.push.variables import from_units, to_units


@pytest.mark.parametrize(
    ("earlier", "later", "merged"),
    [
        (None, (ADD, 2), (ADD, 2)),
        ((ADD, 2), (ADD, 3), (ADD, 5)),
        ((SET, 10), (ADD, 3), (SET, 13)),
        ((DELETE, None), (ADD, 3), (SET, 3)),
        ((ADD, 2), (SET, 7), (SET, 7)),
        ((ADD, 2), (DELETE, None), (DELETE, None)),
        ((SET, "a"), (SET, "b"), (SET, "b")),
    ],
)
def test_updates_to_one_cell_merge_into_one(earlier: object, later: object, merged: object) -> None:
    assert combine(earlier, later) == merged  # type: ignore[arg-type]


def test_buffer_grows_with_cells_not_with_updates() -> None:
    buffer = Buffer(max_cells=10)
    for _ in range(1000):
        buffer.add([("a", 1, None)])
    assert buffer.ops == {"a": (ADD, 1000)}


def test_buffer_drops_new_cells_beyond_its_bound_and_counts_them() -> None:
    buffer = Buffer(max_cells=2)
    assert buffer.add([("a", 1, None)])
    assert buffer.add([("b", 1, None)])
    assert not buffer.add([("c", 1, None)])
    assert buffer.add([("a", 1, None)])  # a cell it already keeps still counts
    assert not buffer.record([("d", (SET, 1))], None, True)
    assert buffer.dropped == 2
    assert buffer.ops == {"a": (ADD, 2), "b": (ADD, 1)}


def test_restored_updates_go_beneath_newer_ones() -> None:
    buffer = Buffer(max_cells=10)
    buffer.add([("a", 1, ("m", "k"))])
    ops, marks = buffer.take()
    buffer.record([("a", (SET, 5))], ("m", "k"), False)
    buffer.add([("b", 2, None)])
    buffer.restore(ops, marks)
    assert buffer.ops == {"a": (SET, 5), "b": (ADD, 2)}
    assert buffer.marks == {("m", "k"): False}


def test_restore_respects_the_bound() -> None:
    buffer = Buffer(max_cells=1)
    buffer.add([("new", 1, None)])
    buffer.restore({"old": (ADD, 1)}, {})
    assert buffer.ops == {"new": (ADD, 1)}
    assert buffer.dropped == 1


def test_pending_updates_apply_on_top_of_what_the_store_holds() -> None:
    assert apply(5, (ADD, 2)) == 7
    assert apply(None, (ADD, 2)) == 2
    assert apply(5, (SET, 1)) == 1
    assert apply(5, (DELETE, None)) is None


def test_health_backs_off_and_logs_once_per_outage(caplog: pytest.LogCaptureFixture) -> None:
    health = Health("the store")
    caplog.set_level(logging.WARNING, logger="expvar")
    health.failed(ConnectionRefusedError("refused"), pending=3)
    first = health.retry_in()
    assert not health.healthy
    assert not health.may_try()
    assert 0 < first <= 1.0
    health.failed(ConnectionRefusedError("refused"), pending=3)
    assert health.retry_in() > first  # the back-off doubled
    assert len(caplog.records) == 1
    assert "unavailable" in caplog.records[0].getMessage()
    health.succeeded(pending=0)
    assert health.healthy
    assert health.may_try()
    assert "is back" in caplog.records[-1].getMessage()


def test_health_reminds_while_the_outage_lasts(caplog: pytest.LogCaptureFixture) -> None:
    health = Health("the store")
    caplog.set_level(logging.WARNING, logger="expvar")
    health.failed(OSError("down"), pending=0)
    health._reminded_at -= 301
    health.failed(OSError("down"), pending=0)
    assert "still unavailable" in caplog.records[-1].getMessage()


def test_transport_errors_are_told_from_bad_updates() -> None:
    import redis

    assert is_transport_error(ConnectionRefusedError())
    assert is_transport_error(redis.ConnectionError())
    assert is_transport_error(redis.TimeoutError())
    assert not is_transport_error(redis.ResponseError("increment would overflow"))
    assert not is_transport_error(ValueError())


@pytest.mark.parametrize("path", sorted(SUITABLE))
def test_known_backends_get_bounded_timeouts(path: str) -> None:
    bound = classify(path)
    assert not isinstance(bound, str)
    options = bound({"retry": object(), "behaviors": {"tcp_nodelay": True}}, 0.25)
    flat = {**options, **options.get("behaviors", {})}
    bounded = {k: v for k, v in flat.items() if "timeout" in k.lower() and "retry" not in k}
    assert bounded
    assert set(bounded.values()) <= {0.25, 250, 250_000}


def test_redis_retries_are_turned_off() -> None:
    bound = classify("django.core.cache.backends.redis.RedisCache")
    assert not isinstance(bound, str)
    options = bound({"retry": object(), "db": 2}, 0.5)
    assert "retry" not in options
    assert options["retry_on_timeout"] is False
    assert options["db"] == 2


@pytest.mark.parametrize("value", [9_000_000.123456789, 1234567.891, -8_765_432.1, 0.1, -2.5e-9])
def test_float_units_are_the_exact_nearest_nano_unit(value: float) -> None:
    # Multiplying in floating point would be off by tens of units for the large ones.
    assert to_units(value) == round(Fraction(value) * 10**9)


def test_float_units() -> None:
    assert to_units(0.1) == 100_000_000
    assert to_units(3) == 3_000_000_000
    assert from_units(10**12) == 1000.0


def test_plain_names_stay_readable_in_keys_others_are_hashed() -> None:
    assert keys.scalar("requests", keys.INT) == "v:requests:i"
    assert keys.entry_cells("http", ("by_method", "GET"))[0] == "m:http:by_method/GET:i"
    hashed = keys.scalar("a name:with spaces", keys.INT)
    assert hashed.startswith("v:~")
    assert " " not in hashed
    assert keys.token("x" * 65).startswith("~")
    assert keys.parse_entry_id(keys.entry_id(("a", "b"))) == ("a", "b")
    assert keys.parse_entry_id("not json") is None
    assert keys.parse_entry_id("[1]") is None


def test_config_defaults() -> None:
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
    config, issues = parse_store({"BACKEND": "cache"}, {"default": redis})
    assert issues == []
    assert (config.backend, config.alias, config.key_prefix) == ("cache", "default", "expvar")
    assert config.flush_interval == 1.0
    assert config.timeout == 0.5


def test_process_start_time_falls_back_when_psutil_cannot_tell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import psutil

    from expvar import process

    def unknown(pid: int) -> psutil.Process:
        raise psutil.AccessDenied(pid)

    monkeypatch.setattr(process, "_info", None)
    monkeypatch.setattr(psutil, "Process", unknown)
    info = process.this_process()
    assert info.started > 0
    assert info.id.startswith(f"{info.host}:{info.pid}:")


def test_buffer_add_keeps_what_fits() -> None:
    buffer = Buffer(max_cells=2)
    assert buffer.add([("a", 1, None), ("a", 2, ("m", "a"))])
    assert not buffer.add([("b", 1, None), ("c", 1, None), ("a", 1, None)])
    assert buffer.ops == {"a": (ADD, 4), "b": (ADD, 1)}
    assert buffer.marks == {("m", "a"): True}
    assert buffer.dropped == 1
