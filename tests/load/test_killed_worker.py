"""Four workers count 8,000 bumps into the shared Redis; one is killed (SIGKILL) half-way.

docs/push.md: a process killed without running exit handlers loses the updates of its last
FLUSH_INTERVAL seconds. So the total may fall short of the bumps acknowledged by at most those
the killed worker acknowledged in the FLUSH_INTERVAL before it died, and never exceed them (plus
the bumps whose answers the kill cut off, which may or may not have counted).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from typing import Any

import pytest
import redis

from tests.load.poller import Answer, Load, describe_failures, fetch, strict_loads
from tests.load.store import stored_bumps
from tests.load.tally import Tally

pytestmark = [pytest.mark.load, pytest.mark.redis]

WORKERS = 4
BUMPS = WORKERS * 2000
FLUSH_INTERVAL = 0.5
# A flush tick may run late and take a while on a busy machine: the loss window's slack.
SLACK = 0.25


def test_a_killed_worker_loses_at_most_its_last_flush_interval(
    start_gunicorn: Any, redis_url: str, shared_prefix: str, tally: Tally
) -> None:
    server = start_gunicorn(
        worker_class="sync",
        workers=WORKERS,
        apps=[],
        env={
            "EXPVAR_LOAD_REDIS_URL": redis_url,
            "EXPVAR_LOAD_PREFIX": shared_prefix,
            "EXPVAR_LOAD_FLUSH_INTERVAL": str(FLUSH_INTERVAL),
        },
    )

    def bump() -> Answer:
        return fetch(f"{server.base}/bump", timeout=10)

    def pid(answer: Answer) -> int:
        return int(strict_loads(answer.body)["pid"])

    bumps = Load(bump, clients=8, most=BUMPS, seconds=90).start()
    try:
        deadline = time.monotonic() + 60
        while len(bumps.answers) < BUMPS // 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        acked = Counter(pid(a) for a in list(bumps.answers) if a.status == 200)
        victim = max(server.worker_pids(), key=lambda worker: acked[worker])
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        answers = bumps.join()
    finally:
        bumps.stop()
    assert server.terminate() == 0  # the surviving workers write their buffers as they exit

    client = redis.Redis.from_url(redis_url)
    stored = stored_bumps(client, shared_prefix)
    client.close()
    ok = [a for a in answers if a.status == 200]
    cut_off = len(answers) - len(ok)
    window = [a for a in ok if pid(a) == victim and a.finished > killed_at - FLUSH_INTERVAL - SLACK]
    lost = max(0, len(ok) - stored)
    tally.record_bumps([a.status for a in answers])
    tally.record_loss(lost, len(window))

    assert len(answers) == BUMPS, f"only {len(answers)} of {BUMPS} bumps sent in time"
    assert cut_off <= 1, describe_failures(answers, [a.error for a in answers if a.status != 200])
    assert acked[victim] > 0
    assert len(ok) - len(window) <= stored <= len(ok) + cut_off, (
        f"{stored:,} stored of {len(ok):,} acknowledged; the killed worker acknowledged "
        f"{len(window):,} in its last {FLUSH_INTERVAL} s (+{SLACK} s)"
    )
