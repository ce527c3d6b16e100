"""Read variable values off the request thread, so that a hung ``value()`` cannot hang a request.

Values are read in order by a worker thread. The request waits at most ``timeout`` seconds for
any one variable; a variable still running then is given up on, remembered as hung, and the
rest continue on another worker. A hung variable keeps its one worker until its call returns,
and is skipped at once by every request meanwhile, so it never costs a thread per request.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any

from django.db import close_old_connections, connections

from expvar.encoding import EncodingError, encode
from expvar.registry import Declaration

logger = logging.getLogger("expvar")

OK = "ok"
ERROR = "error"
TIMEOUT = "timeout"

_MAX_IDLE_WORKERS = 4
_LOG_REPEAT_SECONDS = 300.0


@dataclass(slots=True)
class Outcome:
    """What reading one variable gave: its JSON-safe value and text, or why there is none."""

    status: str
    value: Any = None
    encoded: str | None = None
    error: str | None = None
    exception: BaseException | None = None
    duration: float = 0.0
    cached: bool = False

    @property
    def traceback(self) -> str | None:
        # Formatted on demand: a variable that fails on every poll would otherwise pay for a
        # formatted traceback each time, though it is only read when logged or shown.
        if self.exception is None:
            return None
        return "".join(traceback.format_exception(self.exception))


class _Batch:
    __slots__ = (
        "abandoned",
        "current",
        "declarations",
        "done",
        "lock",
        "max_bytes",
        "outcomes",
        "started",
    )

    def __init__(self, declarations: Sequence[Declaration], max_bytes: int) -> None:
        self.declarations = declarations
        self.max_bytes = max_bytes
        self.outcomes: list[Outcome | None] = [None] * len(declarations)
        self.current = 0
        self.started = time.perf_counter()
        self.abandoned = -1
        self.lock = threading.Lock()
        self.done = threading.Event()


class Evaluator:
    """Reads declarations with a per-variable time limit, caching and error isolation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[SimpleQueue[_Batch]] = []
        self._hung: dict[Declaration, float] = {}
        self._cache: dict[Declaration, tuple[float, Outcome]] = {}
        self._logged: dict[Declaration, tuple[str, float]] = {}

    @property
    def hung(self) -> int:
        return len(self._hung)

    def evaluate(
        self, declarations: Sequence[Declaration], timeout: float | None, max_bytes: int
    ) -> list[Outcome]:
        """Return one outcome per declaration, in the same order.

        With ``timeout`` None the values are read in the calling thread: no hand-off, and no
        protection from a ``value()`` that hangs.
        """
        if timeout is None:
            if not self._cache:
                return [self.read(d, max_bytes) for d in declarations]
            return [self._cached(d) or self.read(d, max_bytes) for d in declarations]
        outcomes: list[Outcome | None] = [None] * len(declarations)
        if not (self._hung or self._cache):
            self._read_all(
                declarations, list(range(len(declarations))), outcomes, timeout, max_bytes
            )
            return outcomes  # type: ignore[return-value]
        pending: list[int] = []
        now = time.monotonic()
        for index, declaration in enumerate(declarations):
            hung_since = self._hung.get(declaration)
            if hung_since is not None:
                outcomes[index] = Outcome(
                    status=TIMEOUT,
                    error=(
                        f"still running: value() was called {now - hung_since:.1f}s ago and "
                        "has not returned; it is skipped until it does"
                    ),
                    duration=now - hung_since,
                )
                continue
            cached = self._cached(declaration)
            if cached is not None:
                outcomes[index] = cached
                continue
            pending.append(index)
        self._read_all(declarations, pending, outcomes, timeout, max_bytes)
        return outcomes  # type: ignore[return-value]

    def _cached(self, declaration: Declaration) -> Outcome | None:
        entry = self._cache.get(declaration)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        return None

    def _read_all(
        self,
        declarations: Sequence[Declaration],
        pending: list[int],
        outcomes: list[Outcome | None],
        timeout: float,
        max_bytes: int,
    ) -> None:
        while pending:
            pending = self._run(declarations, pending, outcomes, timeout, max_bytes)

    def _run(
        self,
        declarations: Sequence[Declaration],
        pending: list[int],
        outcomes: list[Outcome | None],
        timeout: float,
        max_bytes: int,
    ) -> list[int]:
        batch = _Batch([declarations[index] for index in pending], max_bytes)
        self._acquire().put_nowait(batch)
        wait = timeout
        while not batch.done.wait(wait):
            with batch.lock:
                elapsed = time.perf_counter() - batch.started
                stuck = batch.current
                if elapsed < timeout or stuck >= len(batch.declarations):
                    wait = max(timeout - elapsed, 0.001)
                    continue
                batch.abandoned = stuck
                declaration = batch.declarations[stuck]
                self._hung[declaration] = time.monotonic() - elapsed
            batch.outcomes[stuck] = Outcome(
                status=TIMEOUT,
                error=f"value() did not return within EXPVAR_TIMEOUT ({timeout:g}s)",
                duration=elapsed,
            )
            self._log(declaration, batch.outcomes[stuck])
            self._collect(batch, pending, outcomes)
            return pending[stuck + 1 :]
        self._collect(batch, pending, outcomes)
        return []

    def _collect(self, batch: _Batch, pending: list[int], outcomes: list[Outcome | None]) -> None:
        for position, outcome in enumerate(batch.outcomes):
            if outcome is not None:
                outcomes[pending[position]] = outcome

    def _acquire(self) -> SimpleQueue[_Batch]:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        inbox: SimpleQueue[_Batch] = SimpleQueue()
        threading.Thread(
            target=self._serve, args=(inbox,), name="expvar-evaluator", daemon=True
        ).start()
        return inbox

    def _serve(self, inbox: SimpleQueue[_Batch]) -> None:
        try:
            while True:
                self._work(inbox.get())
                # A value() may have used the database from this thread: honour CONN_MAX_AGE
                # as a request would.
                close_old_connections()
                with self._lock:
                    if len(self._idle) >= _MAX_IDLE_WORKERS:
                        return
                    self._idle.append(inbox)
        finally:
            connections.close_all()

    def _work(self, batch: _Batch) -> None:
        max_bytes = batch.max_bytes
        for index, declaration in enumerate(batch.declarations):
            outcome = self.read(declaration, max_bytes)
            with batch.lock:
                if batch.abandoned == index:
                    self._hung.pop(declaration, None)
                    return
                batch.outcomes[index] = outcome
                batch.current = index + 1
                batch.started = time.perf_counter()
        batch.done.set()

    def read(self, declaration: Declaration, max_bytes: int) -> Outcome:
        """Call one variable's ``value()`` and encode what it returns; never raises."""
        start = time.perf_counter()
        try:
            value = declaration.read()
            value, text = encode(value, max_bytes)
        except EncodingError as exc:
            outcome = Outcome(status=ERROR, error=str(exc), duration=time.perf_counter() - start)
        except BaseException as exc:  # a variable may not take the worker down, even by exit()
            outcome = Outcome(
                status=ERROR,
                error=f"{type(exc).__name__}: {exc}",
                exception=exc,
                duration=time.perf_counter() - start,
            )
        else:
            outcome = Outcome(
                status=OK, value=value, encoded=text, duration=time.perf_counter() - start
            )
            if declaration.cache_ttl:
                self._cache[declaration] = (
                    time.monotonic() + declaration.cache_ttl,
                    Outcome(
                        status=OK,
                        value=value,
                        encoded=text,
                        duration=outcome.duration,
                        cached=True,
                    ),
                )
            return outcome
        self._log(declaration, outcome)
        return outcome

    def _log(self, declaration: Declaration, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        message = outcome.error or ""
        now = time.monotonic()
        last = self._logged.get(declaration)
        if last is not None and last[0] == message and now - last[1] < _LOG_REPEAT_SECONDS:
            return
        self._logged[declaration] = (message, now)
        logger.error(
            "expvar: variable %r from %s failed: %s%s",
            declaration.name,
            declaration.origin,
            message,
            f"\n{outcome.traceback}" if outcome.traceback else "",
        )


evaluator = Evaluator()
