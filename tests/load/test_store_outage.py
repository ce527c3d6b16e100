"""The shared store's Redis hangs, dies and comes back empty while the site is polled and counts.

The Redis is the test's own (never the machine's): SIGSTOP makes it hang, SIGKILL ends it while it
hangs, and a new one starts on the same port, empty, as a Redis without persistence does.
"""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest
import redis

from tests.load.poller import Answer, Load, describe_failures, fetch, poll_problem
from tests.load.servers import RedisServer
from tests.load.site.names import ordinary_names
from tests.load.store import stored_bumps, wait_for_bumps
from tests.load.tally import Tally

pytestmark = pytest.mark.load

EXPVAR_TIMEOUT = 0.5
# What one answer may take beyond EXPVAR_TIMEOUT on a busy two-core machine.
MARGIN = 0.5
CLIENT_TIMEOUT = 2.0
FLUSH_INTERVAL = 0.2
PREFIX = "expvar-load"


def test_polls_and_counts_survive_a_store_that_hangs_dies_and_comes_back_empty(
    start_gunicorn: Any, private_redis: RedisServer, tally: Tally
) -> None:
    server = start_gunicorn(
        worker_class="gthread",
        workers=2,
        threads=8,
        apps=["ordinary"],
        env={
            "EXPVAR_LOAD_REDIS_URL": private_redis.url,
            "EXPVAR_LOAD_PREFIX": PREFIX,
            "EXPVAR_LOAD_FLUSH_INTERVAL": str(FLUSH_INTERVAL),
        },
    )
    store = redis.Redis(port=private_redis.port, socket_timeout=2, socket_connect_timeout=2)

    def poll() -> Answer:
        return fetch(f"{server.base}/debug/vars", timeout=CLIENT_TIMEOUT)

    def bump() -> Answer:
        return fetch(f"{server.base}/bump", timeout=CLIENT_TIMEOUT)

    polls = Load(poll, clients=8, most=3000, seconds=60).start()
    bumps = Load(bump, clients=4, most=20000, seconds=60).start()
    try:
        time.sleep(2.0)
        # Before the outage: every acknowledged count reaches the store.
        before = sum(a.status == 200 for a in bumps.pause())
        assert wait_for_bumps(store, PREFIX, before, 10) == before
        outage_began = time.monotonic()
        private_redis.signal(signal.SIGSTOP)  # the store hangs ...
        bumps.resume()
        time.sleep(1.5)
        private_redis.kill()  # ... and dies without having read another byte
        time.sleep(0.5)
        private_redis.start()  # same port, empty
        outage_ended = time.monotonic()
        time.sleep(2.0)
        during_and_after = sum(a.status == 200 for a in bumps.pause()) - before
        # The counts of the outage and after it are all written once the store is back; those
        # written before it died went with the dead server's memory.
        stored = wait_for_bumps(store, PREFIX, during_and_after, 20)
        time.sleep(3 * FLUSH_INTERVAL)  # and nothing is written twice
        stored = stored_bumps(store, PREFIX)
    finally:
        poll_answers, bump_answers = polls.stop(), bumps.stop()
        store.close()
    answers = poll_answers + bump_answers
    tally.record_polls([a.status for a in poll_answers])
    tally.record_bumps([a.status for a in bump_answers])
    tally.record_loss(max(0, during_and_after - stored), 0)

    problems = [p for p in (poll_problem(a, set(ordinary_names())) for a in poll_answers) if p]
    problems += [f"bump: {a.status} {a.error}" for a in bump_answers if a.status != 200]
    assert not problems, describe_failures(answers, problems, server.log_tail())
    slow = sorted(round(a.seconds, 2) for a in answers if a.seconds > EXPVAR_TIMEOUT + MARGIN)
    assert not slow, f"{len(slow)} answers slower than {EXPVAR_TIMEOUT + MARGIN} s: {slow[-10:]}"
    assert before > 0
    for kind, kept in (("polls", poll_answers), ("bumps", bump_answers)):
        in_outage = sum(outage_began < a.finished < outage_ended for a in kept)
        assert in_outage > 0, f"no {kind} answered during the outage"
    assert stored == during_and_after, (
        f"{during_and_after:,} counts acknowledged during and after the outage, "
        f"{stored:,} in the store ({before:,} before it)"
    )
