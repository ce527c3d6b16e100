"""The small pool of daemon threads that read variables off the request thread."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from django.db import close_old_connections, connections

logger = logging.getLogger("expvar")

# A thread with nothing to do for this long ends, so a burst leaves no threads behind.
IDLE_SECONDS = 2.0


class Pool:
    """Daemon threads that run jobs, started when none is idle, ended after idling a while.

    Not ``ThreadPoolExecutor``: its threads are joined at exit, so one hung ``value()`` would
    hang a worker's shutdown, and they never end, so a burst would leave them all behind.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[Future[None], Callable[[], None]]] = queue.SimpleQueue()
        self._idle = 0  # threads waiting for a job, less the jobs already queued for them

    def submit(self, job: Callable[[], None]) -> Future[None]:
        future: Future[None] = Future()
        with self._lock:
            self._jobs.put((future, job))
            if self._idle:
                self._idle -= 1
            else:
                threading.Thread(target=self._work, name="expvar-reader", daemon=True).start()
        return future

    def _work(self) -> None:
        try:
            while True:
                try:
                    future, job = self._jobs.get(timeout=IDLE_SECONDS)
                except queue.Empty:
                    with self._lock:
                        if not self._jobs.empty():
                            continue  # a job was queued for an idle thread: this one
                        self._idle -= 1
                        return
                try:
                    job()
                except Exception:  # the reader's own failure: its variables are reported unread
                    logger.exception("expvar: a reader thread failed")
                finally:
                    future.set_result(None)
                    close_old_connections()  # a value() may have used the database: CONN_MAX_AGE
                with self._lock:
                    self._idle += 1
        finally:
            connections.close_all()
