from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from typing import Any

import pytest
from django.test import override_settings

from expvar.conf import Config
from expvar.evaluation import Evaluator
from expvar.resolution import resolve
from tests.factories import declare, noting_thread, registry_of


@pytest.fixture
def release() -> Any:
    event = threading.Event()
    yield event
    event.set()


def hang_until(event: threading.Event) -> Any:
    def read() -> int:
        event.wait(30)
        return 1

    return read


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_hung_variable_times_out_and_the_others_are_served(release: threading.Event) -> None:
    registry = registry_of(
        declare("before", 1, position=0),
        declare("stuck", hang_until(release), position=1),
        declare("after", 2, position=2),
    )
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"after": 2, "before": 1}
    [stuck] = resolution.errors
    assert stuck.status == "timeout"
    assert "EXPVAR_TIMEOUT (0.2s)" in (stuck.error or "")


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_hung_variable_does_not_pile_up_threads(release: threading.Event) -> None:
    registry = registry_of(declare("stuck", hang_until(release)), declare("ok", 1, position=1))
    resolve(registry)
    threads_after_first = threading.active_count()
    for _ in range(5):
        resolution = resolve(registry)
        assert json.loads(resolution.body()) == {"ok": 1}
        assert "still running" in (resolution.errors[0].error or "")
    assert threading.active_count() <= threads_after_first


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_later_requests_skip_a_hung_variable_without_waiting(release: threading.Event) -> None:
    reads = []

    def stuck() -> int:
        reads.append(1)
        release.wait(30)
        return 1

    registry = registry_of(declare("stuck", stuck))
    resolve(registry)
    resolve(registry)
    resolve(registry)
    assert reads == [1]


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_variable_is_read_again_once_its_hung_call_returns() -> None:
    evaluator = Evaluator()
    gate = threading.Event()
    answers = iter([1, 2])

    def slow_once() -> int:
        answer = next(answers)
        if answer == 1:
            gate.wait(30)
        return answer

    declaration, config = declare("v", slow_once), Config(timeout=0.1, max_value_bytes=1024)
    assert evaluator.evaluate([declaration], config)[0].status == "timeout"
    gate.set()
    for _ in range(100):
        if not evaluator.in_flight:
            break
        time.sleep(0.01)
    outcome = evaluator.evaluate([declaration], config)[0]
    assert (outcome.status, outcome.value) == ("ok", 2)


def test_system_exit_in_a_variable_is_an_error_not_a_dead_worker() -> None:
    registry = registry_of(declare("quits", lambda: sys.exit(3)), declare("ok", 1, position=1))
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"ok": 1}
    assert resolution.errors[0].error == "SystemExit: 3"


def test_cache_ttl_keeps_the_value_in_process() -> None:
    reads = []
    registry = registry_of(declare("c", lambda: reads.append(1) or len(reads), cache_ttl=60))
    first = resolve(registry)
    second = resolve(registry)
    assert json.loads(first.body()) == json.loads(second.body()) == {"c": 1}
    assert second.variables[0].cached
    assert reads == [1]


def test_a_value_kept_for_its_cache_ttl_is_the_value_published() -> None:
    # A NaN is published as null: a read from the cache must give what the first read gave.
    registry = registry_of(declare("f", lambda: {"x": float("nan")}, cache_ttl=60))
    first, second = resolve(registry), resolve(registry)
    assert second.variables[0].cached
    assert first.variables[0].value == second.variables[0].value == {"x": None}


def counting() -> Any:
    reads: list[int] = []
    return lambda: reads.append(1) or len(reads)


def read_at(seconds: float, registry: Any, started: float) -> Any:
    time.sleep(max(started + seconds - time.monotonic(), 0))
    return json.loads(resolve(registry).body())


@pytest.mark.parametrize("timeout", [0.5, None], ids=["pool", "inline"])
def test_cache_ttl_keeps_the_value_for_its_ttl_and_no_longer(timeout: float | None) -> None:
    registry = registry_of(declare("c", counting(), cache_ttl=0.4))
    with override_settings(EXPVAR_TIMEOUT=timeout):
        started = time.monotonic()
        assert read_at(0, registry, started) == {"c": 1}
        assert read_at(0.1, registry, started) == {"c": 1}
        # Past the TTL (and well short of twice it) the value is read again.
        assert read_at(0.65, registry, started) == {"c": 2}


def test_without_cache_ttl_each_resolution_reads_again() -> None:
    reads = []
    registry = registry_of(declare("c", lambda: reads.append(1) or len(reads)))
    resolve(registry)
    assert json.loads(resolve(registry).body()) == {"c": 2}


def test_errors_are_not_cached() -> None:
    reads = []

    def flaky() -> int:
        reads.append(1)
        if len(reads) == 1:
            raise ValueError("first read fails")
        return 5

    registry = registry_of(declare("f", flaky, cache_ttl=60))
    resolve(registry)
    assert json.loads(resolve(registry).body()) == {"f": 5}


def test_repeated_failures_are_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    def boom() -> int:
        raise RuntimeError("down")

    registry = registry_of(declare("bad", boom))
    with caplog.at_level("ERROR", logger="expvar"):
        for _ in range(5):
            resolve(registry)
    assert len([r for r in caplog.records if "down" in r.getMessage()]) == 1


@override_settings(EXPVAR_TIMEOUT="soon")
def test_malformed_timeout_falls_back_to_the_default() -> None:
    assert json.loads(resolve(registry_of(declare("a", 1))).body()) == {"a": 1}


@override_settings(EXPVAR_TIMEOUT=None)
def test_without_timeout_values_are_read_in_the_request_thread() -> None:
    readers = []
    registry = registry_of(declare("where", lambda: readers.append(threading.get_ident()) or 1))
    assert json.loads(resolve(registry).body()) == {"where": 1}
    assert readers == [threading.get_ident()]


@override_settings(EXPVAR_TIMEOUT=None)
def test_without_timeout_errors_are_still_isolated() -> None:
    registry = registry_of(declare("bad", lambda: 1 / 0), declare("ok", 1, position=1))
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"ok": 1}
    assert resolution.errors[0].error == "ZeroDivisionError: division by zero"


@override_settings(EXPVAR_TIMEOUT=None)
def test_without_timeout_cache_ttl_still_applies() -> None:
    reads = []
    registry = registry_of(declare("c", lambda: reads.append(1) or len(reads), cache_ttl=60))
    resolve(registry)
    resolve(registry)
    assert reads == [1]


def test_with_timeout_values_are_read_off_the_request_thread() -> None:
    readers = []
    registry = registry_of(declare("where", lambda: readers.append(threading.get_ident()) or 1))
    resolve(registry)
    assert readers != [threading.get_ident()]


def reading_thread() -> Any:
    return lambda: threading.current_thread().name


@override_settings(EXPVAR_TIMEOUT=None)
def test_without_a_timeout_every_value_is_read_on_the_request_thread() -> None:
    registry = registry_of(declare("guarded", reading_thread()))
    assert json.loads(resolve(registry).body()) == {"guarded": threading.current_thread().name}


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_values_keep_their_order_around_a_hung_one(release: threading.Event) -> None:
    registry = registry_of(
        declare("a", 1),
        declare("b", hang_until(release), position=1),
        declare("c", 3, position=2),
        declare("d", 4, position=3),
    )
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"a": 1, "c": 3, "d": 4}
    assert [report.status for report in resolution.variables] == ["ok", "timeout", "ok", "ok"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork exists only on POSIX systems")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@override_settings(EXPVAR_TIMEOUT=0.2)
def test_a_forked_child_reads_again_what_hung_in_its_parent(release: threading.Event) -> None:
    registry = registry_of(declare("stuck", hang_until(release)), declare("ok", 1, position=1))
    assert json.loads(resolve(registry).body()) == {"ok": 1}  # "stuck" hangs in a worker here
    pid = os.fork()
    if pid == 0:  # the child: its copy of the event is set, so "stuck" answers if it is asked
        code = 1
        try:
            release.set()
            code = 0 if json.loads(resolve(registry).body()) == {"ok": 1, "stuck": 1} else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_after_a_fork_the_evaluator_forgets_its_workers_and_hung_variables(
    release: threading.Event,
) -> None:
    evaluator = Evaluator()
    stuck, config = declare("stuck", hang_until(release)), Config(timeout=0.2)
    assert evaluator.evaluate([stuck], config)[0].status == "timeout"
    assert evaluator.evaluate([stuck], config)[0].error.startswith("still running")
    evaluator.after_fork()  # what os.fork() runs in the child
    release.set()
    assert evaluator.evaluate([stuck], config)[0].value == 1


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_in_place_positions_are_read_on_the_calling_thread_the_others_by_the_pool(
    release: threading.Event,
) -> None:
    threads: dict[str, str] = {}

    declarations = [
        declare("pulled", noting_thread("pulled", threads), position=0),
        declare("in_place", noting_thread("in_place", threads), position=1),
        declare("stuck", hang_until(release), position=2),
        declare("last", noting_thread("last", threads), position=3),
    ]
    reports = Evaluator().evaluate(
        declarations, Config(timeout=0.2, max_value_bytes=10_000), in_place=frozenset({1, 3})
    )
    assert [r.value for r in reports] == ["pulled", "in_place", None, "last"]
    assert reports[2].status == "timeout"
    assert threads["in_place"] == threads["last"] == threading.current_thread().name
    assert threads["pulled"].startswith("expvar-reader")


def test_only_in_place_positions_start_no_thread() -> None:
    before = set(threading.enumerate())
    reports = Evaluator().evaluate(
        [declare("a", 1)], Config(timeout=0.2, max_value_bytes=10_000), in_place=frozenset({0})
    )
    assert [r.value for r in reports] == [1]
    assert set(threading.enumerate()) - before == set()


def test_values_a_failed_reader_left_unread_are_errors_not_values(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    evaluator = Evaluator()

    def broken(*args: Any) -> bool:
        raise RuntimeError("the reader itself broke")

    monkeypatch.setattr(evaluator, "_from_cache", broken)
    reports = evaluator.evaluate(
        [declare("a", 1, cache_ttl=60), declare("b", 2)], Config(timeout=0.5, max_value_bytes=1024)
    )
    assert [(r.status, r.error, r.text) for r in reports] == [
        ("error", "not read: its reader failed", None)
    ] * 2
    assert "a reader thread failed" in caplog.text


def test_reads_in_place_neither_wait_for_nor_hold_up_another_call(
    release: threading.Event,
) -> None:
    evaluator = Evaluator()
    answers = iter([1, 2])
    started = threading.Event()

    def slow_first() -> int:
        answer = next(answers)
        if answer == 1:
            started.set()
            release.wait(30)
        return answer

    declaration, config = declare("memory", slow_first), Config(timeout=5.0, max_value_bytes=1024)
    pooled = threading.Thread(target=evaluator.evaluate, args=([declaration], config))
    pooled.start()
    assert started.wait(5)
    # The pool's call is under way: a read in place (as an async view's, on its event loop)
    # makes its own call instead of waiting for that one.
    reports = asyncio.run(evaluator.evaluate_async([declaration], config, in_place={0}))
    assert (reports[0].status, reports[0].value) == ("ok", 2)
    release.set()
    pooled.join(5)
