"""Sixteen simultaneous first polls of a fresh server meet a hung variable: it is called once."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.load.poller import Answer, describe_failures, fetch, poll_problem
from tests.load.servers import fill_thread_pools, settled_thread_counts
from tests.load.site.names import ordinary_names
from tests.load.tally import Tally

pytestmark = pytest.mark.load

CLIENTS = 16
SETTLE_SECONDS = 6.0


def test_a_burst_of_first_polls_calls_a_hung_variable_once(
    start_gunicorn: Any, tally: Tally
) -> None:
    server = start_gunicorn(worker_class="gthread", workers=1, threads=CLIENTS)
    (pid, baseline), *_ = fill_thread_pools(server).items()
    start = threading.Barrier(CLIENTS, timeout=30)
    answers: list[Answer] = []

    def first_poll() -> None:
        start.wait()
        answers.append(fetch(f"{server.base}/debug/vars", timeout=10))

    clients = [threading.Thread(target=first_poll) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(30)
    tally.record_polls([answer.status for answer in answers])

    calls = (server.directory / "hung-calls").read_text().splitlines()
    assert len(calls) == 1, f"hung value() called {len(calls)} times by {CLIENTS} first polls"
    problems = [p for p in (poll_problem(a, set(ordinary_names()), {"hung"}) for a in answers) if p]
    assert not problems, describe_failures(answers, problems, server.log_tail())
    assert len(answers) == CLIENTS
    # The worker is back to its threads at full strength plus the one the hung call holds.
    assert settled_thread_counts({pid: baseline + 1}, SETTLE_SECONDS) == {pid: baseline + 1}
