"""Reading the load site's counter straight from Redis, by the key layout of docs/push.md."""

from __future__ import annotations

import time
from typing import Any


def stored_bumps(client: Any, prefix: str) -> int:
    """``load_bumps`` as the store holds it: ``<prefix>:v:load_bumps:i`` under the cache's
    own ``:1:`` (its empty KEY_PREFIX and version 1)."""
    value = client.get(f":1:{prefix}:v:load_bumps:i")
    return int(value) if value is not None else 0


def wait_for_bumps(client: Any, prefix: str, expected: int, seconds: float) -> int:
    """Wait up to ``seconds`` for the stored count to reach ``expected``; return it."""
    deadline = time.monotonic() + seconds
    while True:
        count = stored_bumps(client, prefix)
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.05)
