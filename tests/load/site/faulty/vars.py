"""A variable that hangs, one that raises and one that is slow."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import expvar

# Longer than any test runs: the servers are killed when their test ends, and the thread with them.
HANG_SECONDS = 600.0
SLOW_SECONDS = 0.05
# Every call of Hung.value() appends a line here, so a test counts the calls.
HUNG_CALLS = Path(os.environ.get("EXPVAR_LOAD_DIR", ".")) / "hung-calls"


class Hung(expvar.ExpVar):
    name = "hung"

    def value(self) -> str:
        with HUNG_CALLS.open("a") as calls:
            calls.write(f"{os.getpid()} {threading.get_ident()}\n")
        threading.Event().wait(HANG_SECONDS)
        return "woke up"


class Raising(expvar.ExpVar):
    name = "raising"

    def value(self) -> int:
        raise RuntimeError("this variable always fails")


class Slow(expvar.ExpVar):
    name = "slow"

    def value(self) -> str:
        time.sleep(SLOW_SECONDS)
        return "slow but in time"
