"""Which worker answered: every poll says so."""

from __future__ import annotations

import os

import expvar


class Pid(expvar.ExpVar):
    name = "pid"

    def value(self) -> int:
        return os.getpid()
