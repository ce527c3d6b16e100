"""Exact totals under contention: threads in one process, and several real processes."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import pytest

import expvar
from tests.push.conftest import SharedStore, delete_prefix, store_settings, unique
from tests.push.workers import hammer

THREADS = 8
ADDS = 10_000


def add_from_threads(counter: expvar.Int, threads: int, adds: int) -> None:
    start = threading.Barrier(threads)

    def work() -> None:
        start.wait()
        for _ in range(adds):
            counter.add(1)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)


def test_threads_in_the_local_store() -> None:
    counter = expvar.Int(unique())
    add_from_threads(counter, THREADS, ADDS)
    assert counter.value() == THREADS * ADDS


@pytest.mark.redis
def test_threads_in_the_shared_store_with_a_busy_flusher(shared_store: SharedStore) -> None:
    # A short interval so the background flush runs while the threads add.
    with shared_store(FLUSH_INTERVAL=0.01) as store:
        counter = expvar.Int(unique())
        add_from_threads(counter, THREADS, ADDS)
        assert store.flush()
        assert expvar.Int(counter.name).value() == THREADS * ADDS


@pytest.mark.redis
def test_processes_add_up_exactly_through_redis(redis_url: str, redis_client: Any) -> None:
    """4 spawned interpreters x 2,500 adds of 1 and of 0.1: 10,000 and exactly 1000.0."""
    prefix = unique("procs")
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=hammer, args=(redis_url, prefix, 2_500)) for _ in range(4)]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=120)
        assert [process.exitcode for process in processes] == [0, 0, 0, 0]
        from django.test import override_settings

        with override_settings(**store_settings(redis_url, prefix)):
            assert expvar.Int("hits").value() == 10_000
            assert expvar.Float("seconds").value() == 1000.0
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
        delete_prefix(redis_client, prefix)
