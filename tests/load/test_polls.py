"""Sixteen clients poll /debug/vars of a site with a hung, a raising, a slow and 1,000 ordinary
variables, under gunicorn's sync and gthread workers and under uvicorn (async views): every
answer whole, no thread left behind.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.load.poller import Answer, describe_failures, fetch, poll_problem, run_clients
from tests.load.servers import fill_thread_pools, settled_thread_counts
from tests.load.site.names import ORDINARY_COUNT, ordinary_name
from tests.load.tally import Tally

pytestmark = pytest.mark.load

CLIENTS = 16
SECONDS = 50.0
HUNG_VARIABLES = 1
# Idle reader threads end after a couple of seconds: wait that long, and a little more.
SETTLE_SECONDS = 6.0
EXPECTED = {ordinary_name(number): number for number in range(ORDINARY_COUNT)}
EXPECTED["slow"] = "slow but in time"


@pytest.mark.parametrize(
    ("worker_class", "polls"),
    [("sync", 600), ("gthread", 2000), ("uvicorn", 1000)],
)
def test_concurrent_polls_answer_every_variable_and_leave_no_thread(
    start_gunicorn: Any, tally: Tally, worker_class: str, polls: int
) -> None:
    # uvicorn: one process, one event loop; many workers are gunicorn's part of the suite.
    workers = 1 if worker_class == "uvicorn" else 2
    server = start_gunicorn(worker_class=worker_class, workers=workers, threads=8)
    baseline = fill_thread_pools(server)

    def poll(number: int) -> Answer:
        return fetch(f"{server.base}/debug/vars", timeout=10)

    answers = run_clients(poll, polls, CLIENTS, SECONDS)
    tally.record_polls([answer.status for answer in answers])
    problems = [p for p in (poll_problem(a, EXPECTED, {"hung", "raising"}) for a in answers) if p]
    assert not problems, describe_failures(answers, problems, server.log_tail())
    assert len(answers) == polls, f"only {len(answers)} of {polls} polls in {SECONDS:.0f} s"

    # Every worker is back to its threads at full strength, plus the one the hung value() holds.
    limits = {pid: threads + HUNG_VARIABLES for pid, threads in baseline.items()}
    assert set(server.worker_pids()) == set(limits), "a worker was replaced during the load"
    counts = settled_thread_counts(limits, SETTLE_SECONDS)
    above = {pid: f"{counts[pid]} threads, limit {limit}" for pid, limit in limits.items()
             if counts[pid] > limit}  # fmt: skip
    assert not above, f"workers left with more threads than before the load: {above}"
