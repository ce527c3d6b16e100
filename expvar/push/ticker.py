"""A daemon thread that calls one function now and then every ``period`` seconds."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger("expvar")


class Ticker:
    def __init__(self, name: str, period: float, func: Callable[[], object]) -> None:
        self.period = period
        self._func = func
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._func()
            except Exception:  # the ticker must outlive any one bad tick
                logger.exception("expvar: background task %s failed", self._thread.name)
            self._stop.wait(self.period)
