"""A daemon thread that keeps the demo's numbers moving while nobody clicks."""

from __future__ import annotations

import random
import threading
import time

from traffic import counters

_started = False
_lock = threading.Lock()


def start() -> None:
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_run, name="traffic-ticker", daemon=True).start()


def _run() -> None:
    depth = 10
    while True:
        time.sleep(1.0)
        counters.ticks.add(1)
        depth = max(0, depth + random.randint(-3, 3))
        counters.pending_jobs.set(depth)
        if random.random() < 0.3:
            place_order("ticker")


def place_order(source: str) -> None:
    counters.orders_placed.add(1)
    counters.revenue.add(random.choice((4.99, 19.99, 0.1)))
    counters.last_order.set(f"{time.strftime('%H:%M:%S')} from {source}")
