"""The cache store against a real Redis: atomic updates, buffering, what other processes see."""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

import expvar
from expvar.push import keys
from expvar.push.stores.cache import CacheStore
from tests.push.conftest import SharedStore, unique

pytestmark = pytest.mark.redis


def peer(store: Any) -> CacheStore:
    """Another process's view of the same store: same alias and prefix, its own buffer."""
    return CacheStore(store.config)


def int_in(store: CacheStore, name: str) -> int | str | None:
    cell = keys.scalar(name, keys.INT)
    return store.get_many([cell]).get(cell)


def test_buffered_updates_are_read_back_at_once_and_written_on_flush(
    shared_store: SharedStore,
) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        name = unique()
        counter = expvar.Int(name)
        counter.add(2)
        counter.add(3)
        assert counter.value() == 5  # this process sees its own pending adds
        assert int_in(peer(store), name) is None
        assert store.status().pending == 1
        assert expvar.push.flush()
        assert int_in(peer(store), name) == 5


def test_adds_from_two_processes_add_up(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        name = unique()
        other = peer(store)
        cell = keys.scalar(name, keys.INT)
        expvar.Int(name).add(10)
        other.add([(cell, 7, None)])
        store.flush()
        other.flush()
        assert expvar.Int(name).value() == 17
        other.close()


def test_set_then_add_in_one_flush(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        name = unique()
        counter = expvar.Int(name)
        counter.add(100)
        store.flush()
        counter.set(1)
        counter.add(1)
        store.flush()
        assert int_in(peer(store), name) == 2


def test_float_and_string_round_trip(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        seconds, version = expvar.Float(unique()), expvar.String(unique())
        seconds.add(0.25)
        seconds.add(-1)
        version.set("v1 ✓")
        store.flush()
        other = peer(store)
        assert expvar.Float(seconds.name).value() == -0.75
        assert other.get_many([keys.scalar(version.name, keys.TEXT)]) == {
            keys.scalar(version.name, keys.TEXT): "v1 ✓"
        }
        other.close()


def test_map_keys_are_listed_for_every_process(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        name = unique()
        hits = expvar.Map(name)
        hits.add("home", 1)
        hits.add(("by_method", "GET"), 2)
        hits.set("label", "x")
        assert hits.value() == {"by_method": {"GET": 2}, "home": 1, "label": "x"}
        store.flush()
        other = peer(store)
        entries = other.entries(keys.token(name))
        assert sorted(entries) == sorted(
            keys.entry_id(path) for path in [("home",), ("by_method", "GET"), ("label",)]
        )
        other.close()


def test_map_delete_unlists_the_key_everywhere(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        name = unique()
        hits = expvar.Map(name)
        hits.add("gone", 1)
        hits.add("kept", 1)
        hits.delete("gone")
        assert hits.value() == {"kept": 1}
        store.flush()
        other = peer(store)
        assert other.entries(keys.token(name)) == [keys.entry_id(("kept",))]
        hits.add("gone", 3)
        assert expvar.Map(name).value() == {"gone": 3, "kept": 1}
        other.close()


def test_pending_delete_and_set_hide_what_the_store_holds(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        hits = expvar.Map(unique())
        hits.add("a", 1)
        hits.add("b", 1)
        store.flush()
        hits.delete("a")
        hits.set("b", "text")
        assert hits.value() == {"b": "text"}


def test_a_bad_update_is_dropped_alone(
    shared_store: SharedStore, caplog: pytest.LogCaptureFixture
) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        big, fine = expvar.Int(unique()), expvar.Int(unique())
        big.set(2**63 - 1)
        store.flush()
        big.add(1)  # Redis refuses: increment or decrement would overflow
        fine.add(1)
        assert store.flush()
        assert fine.value() == 1
        assert store.status().dropped == 1
        assert store.status().healthy
        assert "dropped an update" in caplog.text


def test_negative_counters_and_deleted_keys_read_back(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        counter, hits = expvar.Int(unique()), expvar.Map(unique())
        counter.add(-5)
        store.flush()
        counter.add(2)
        hits.add("k", 1)
        store.flush()
        hits.delete("k")
        hits.add("j", 0)
        store.flush()
        assert counter.value() == -3
        assert hits.value() == {"j": 0}
        counter.set(-10)
        assert counter.value() == -10


def test_map_with_more_keys_than_one_read_fetches(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("expvar.push.stores.cache._GET_MANY_CHUNK", 40)
    with shared_store(FLUSH_INTERVAL=60) as store:
        hits = expvar.Map(unique())
        for number in range(100):
            hits.add(f"k{number}", number)
        store.flush()
        value = expvar.Map(hits.name).value()
        assert len(value) == 100
        assert value["k99"] == 99


def test_status_describes_the_store(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=2) as store:
        status = store.status()
        assert status.backend == "cache"
        assert "expvar_test" in status.description
        assert status.flush_interval == 2
        assert status.healthy


def test_changing_the_setting_writes_pending_updates_first(shared_store: SharedStore) -> None:
    name = unique()
    with shared_store(FLUSH_INTERVAL=60) as store:
        expvar.Int(name).add(4)
        survivor = peer(store)
    assert int_in(survivor, name) == 4
    survivor.close()


def test_invalid_store_setting_falls_back_to_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from django.test import override_settings

    from expvar.push.stores import current

    with override_settings(EXPVAR_STORE={"BACKEND": "cache", "ALIAS": "nope"}):
        assert current().kind == "local"
    with override_settings(EXPVAR_STORE=5):
        assert current().kind == "local"
    assert "push variables count in this process only" in caplog.text


def test_updates_beyond_max_pending_are_dropped_counted_and_logged(
    shared_store: SharedStore, caplog: pytest.LogCaptureFixture
) -> None:
    with shared_store(FLUSH_INTERVAL=60, MAX_PENDING=1) as store:
        expvar.Int(unique()).add(1)
        expvar.Int(unique()).add(1)
        expvar.String(unique()).set("x")
        expvar.Map(unique()).delete("k")
        assert store.status().dropped == 3
        assert caplog.text.count("dropped: this process already keeps MAX_PENDING=1") == 1


def test_a_cell_created_by_another_process_meanwhile_is_added_to(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        counter = expvar.Int(unique())
        counter.add(1)
        store.flush()
        backend = store._backend()
        real_incr = backend.incr
        calls = []

        def incr_missing_once(key: str, delta: int = 1) -> int:
            # As if the cell did not exist when incr() looked, and another process created it
            # before add() did.
            calls.append(key)
            if len(calls) == 1:
                raise ValueError("not found")
            return int(real_incr(key, delta))

        monkeypatch.setattr(backend, "incr", incr_missing_once)
        counter.add(2)
        store.flush()
        assert len(calls) == 2
        assert counter.value() == 3


def test_a_map_key_listed_by_another_process_meanwhile_is_listed_once(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        name = unique()
        other = peer(store)
        entry = (keys.token(name), keys.entry_id(("k",)))
        other.add([(keys.entry_cells(name, ("k",))[0], 1, entry)])
        assert other.flush()
        backend = store._backend()
        real_get = backend.get
        # The claim looks free when checked, and is taken when add() tries it.
        monkeypatch.setattr(backend, "get", lambda key, default=None: None)
        hits = expvar.Map(name)
        hits.add("k", 1)
        store.flush()
        monkeypatch.setattr(backend, "get", real_get)
        assert store.entries(keys.token(name)) == [entry[1]]
        assert hits.value() == {"k": 2}
        other.close()


def test_a_poll_reads_every_scalar_in_one_round_trip(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from expvar.resolution import resolve

    # No heartbeat: its background get_many is not the poll's.
    with shared_store(HEARTBEAT=0) as store:
        names = [unique("scalar") for _ in range(6)]
        counters = [expvar.Int(name) for name in names]
        for number, counter in enumerate(counters):
            counter.add(number)
        store.flush()
        reads = []
        backend = store._backend()
        real = backend.get_many
        threads = set()

        def counted(keys: list[str]) -> dict[str, Any]:
            threads.add(threading.current_thread().name)
            if keys:  # no keys, no round trip (an empty map's listing)
                reads.append(keys)
            return real(keys)

        monkeypatch.setattr(backend, "get_many", counted)
        published = resolve().published
        assert [published[name] for name in names] == [str(n) for n in range(6)]
        assert len(reads) == 1
        assert len(reads[0]) >= len(names)
        # A shared store is over the network: read off the request thread, under the timeout.
        assert threads == {"expvar-reader"}


def test_a_read_after_a_flush_sees_what_the_flush_wrote(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        first = expvar.Int(unique("first"))
        first.add(1)
        assert first.value() == 1  # the snapshot holds nothing yet: the +1 is pending
        store.flush()  # moves the +1 into the store, where the snapshot taken before lacks it
        assert first.value() == 1
        first.add(1)
        assert first.value() == 2


def test_closing_survives_a_backend_that_will_not_disconnect(
    shared_store: SharedStore, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse() -> None:
        raise RuntimeError("will not")

    with shared_store() as store:
        stubborn = CacheStore(store.config)
        backend = stubborn._backend()
        backend.get("anything")  # a connection, so that the backend holds a pool
        backend.close = refuse  # type: ignore[method-assign]
        disconnected: list[object] = []
        for pool in backend._cache._pools.values():  # type: ignore[attr-defined]
            pool.disconnect = partial(disconnected.append, pool)
        caplog.set_level(logging.DEBUG, logger="expvar")
        stubborn.close()
        assert "could not close a cache connection" in caplog.text
        assert disconnected  # the pools are let go even so


def test_a_read_that_fails_for_another_reason_raises_it(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with shared_store() as store:
        counter = expvar.Int(unique())

        def garbled(keys: Any) -> Any:
            raise pickle.UnpicklingError("garbled")

        monkeypatch.setattr(store._backend(), "get_many", garbled)
        with pytest.raises(pickle.UnpicklingError):
            counter.value()
        assert store.status().healthy


def background_threads() -> int:
    return sum(thread.name == "expvar-push" for thread in threading.enumerate())


def test_a_forked_child_forgets_its_parents_pending_updates(shared_store: SharedStore) -> None:
    from expvar.push import stores

    with shared_store(FLUSH_INTERVAL=60) as store:
        counter = expvar.Int(unique())
        counter.add(1)
        assert store.status().pending == 1
        running = background_threads()
        stores._after_fork()  # what os.fork() runs in the child
        assert store.status().pending == 0
        # The parent's thread did not fork: the child's first update starts its own.
        counter.add(2)
        assert background_threads() == running + 1
        assert store.flush()
        assert int_in(peer(store), counter.name) == 2


def test_the_background_thread_outlives_a_failing_tick(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with shared_store(FLUSH_INTERVAL=0.05, HEARTBEAT=0.05) as store:
        backend = store._backend()
        real_get_many, failures = backend.get_many, []

        def fails_twice(keys: Any) -> Any:
            if len(failures) < 2:
                failures.append(1)
                raise RuntimeError("bad tick")  # not a transport error: it escapes the tick
            return real_get_many(keys)

        monkeypatch.setattr(backend, "get_many", fails_twice)
        counter = expvar.Int(unique())
        counter.add(5)  # starts the thread, whose first heartbeat fails
        other = peer(store)  # reads through a backend of its own
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (
            other.processes() and int_in(other, counter.name) == 5
        ):
            time.sleep(0.05)
        assert failures == [1, 1]
        assert "a background flush or heartbeat failed" in caplog.text
        # Later ticks still flush and beat.
        assert int_in(other, counter.name) == 5
        assert [record.pid for record in other.processes()] == [os.getpid()]
        other.close()


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_by_multiprocessing_writes_its_updates_at_exit(
    shared_store: SharedStore,
) -> None:
    # Such a child ends in os._exit, without atexit: multiprocessing's own exit hook flushes.
    name = unique()
    with shared_store(FLUSH_INTERVAL=60):
        counter = expvar.Int(name)
        counter.add(0)

        def work() -> None:
            for _ in range(1000):
                counter.add(1)

        child = multiprocessing.get_context("fork").Process(target=work)
        child.start()
        child.join(timeout=60)
        assert child.exitcode == 0
        assert counter.value() == 1000


def test_flush_on_the_local_store_has_nothing_to_do() -> None:
    expvar.Int(unique()).add(1)
    assert expvar.push.flush()


def test_add_many_beyond_max_pending_is_dropped(shared_store: SharedStore) -> None:
    with shared_store(FLUSH_INTERVAL=60, MAX_PENDING=1) as store:
        expvar.Map(unique()).add_many([("a", 1), ("b", 1)])
        assert store.status().dropped == 1


def test_a_heartbeat_never_calls_the_server_without_the_flush_lock(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fork takes the flush lock to find the background thread between two calls to the
    # server; a beat that went ahead without it could be copied into the child half-way.
    with shared_store(TIMEOUT=0.2) as store:
        heartbeat, calls = store._heartbeat, []
        monkeypatch.setattr(heartbeat, "beat", lambda *args: calls.append(args))
        with store._flush_lock:  # a long flush, say, holds it past TIMEOUT
            store.beat()
        assert calls == []  # skipped: the heartbeat's TTL allows a missed beat
        store.beat()
        assert len(calls) == 1


def refuse_push_threads(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make the push store's background thread fail to start; return how to undo it."""
    real_start = threading.Thread.start

    def refuse(thread: threading.Thread) -> None:
        if thread.name == "expvar-push":
            raise RuntimeError("can't start new thread")
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", refuse)
    return lambda: monkeypatch.setattr(threading.Thread, "start", real_start)


def test_an_update_never_raises_when_the_background_thread_cannot_start(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with shared_store(FLUSH_INTERVAL=0.1) as store:
        counter = expvar.Int(unique())
        allow = refuse_push_threads(monkeypatch)
        with caplog.at_level(logging.ERROR, logger="expvar"):
            counter.add(1)
            counter.add(1)  # within the retry delay: no second try, no second line
        assert caplog.text.count("background thread cannot start") == 1
        assert store.status().pending == 1
        allow()
        time.sleep(1.1)  # the retry delay: the flush interval, at least 1 s
        counter.add(1)  # starts the thread, which writes all three
        reader, deadline = CacheStore(store.config), time.monotonic() + 5
        try:
            while reader.read_scalar(counter.cell) != 3:
                assert time.monotonic() < deadline, "the counts were not written"
                time.sleep(0.05)
        finally:
            reader.close()


def test_a_store_whose_background_thread_could_not_start_still_closes_and_flushes(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        counter = expvar.Int(unique())
        allow = refuse_push_threads(monkeypatch)
        counter.add(1)
        allow()
        store.close()
        assert store.status().pending == 0
        assert CacheStore(store.config).read_scalar(counter.cell) == 1


def test_a_fork_waits_for_the_background_thread_to_be_between_ticks(
    shared_store: SharedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from expvar.push import stores

    with shared_store(FLUSH_INTERVAL=60) as store:
        counter = expvar.Int(unique())
        counter.add(1)
        backend = store._backend()
        real_incr, writing, written = backend.incr, threading.Event(), threading.Event()

        def slow_incr(key: str, delta: int = 1) -> int:
            writing.set()
            time.sleep(0.3)
            try:
                return int(real_incr(key, delta))
            finally:
                written.set()

        monkeypatch.setattr(backend, "incr", slow_incr)
        threading.Thread(target=store.flush).start()  # as the background thread does
        assert writing.wait(10)
        stores._before_fork()  # what os.fork() runs in the parent first
        try:
            assert written.is_set()  # the fork waited for the write in progress
            assert stores._local._cells.lock.locked()
            assert store._flush_lock.locked()  # and holds the store still until it is done
        finally:
            stores._after_fork_parent()
        assert not stores._local._cells.lock.locked()
        counter.add(1)
        assert store.status().pending == 1  # the parent keeps its updates
        assert store.flush()  # and its locks
        assert int_in(peer(store), counter.name) == 2
