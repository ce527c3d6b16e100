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
    """Declarations handed to a worker, and the claims that settle each one exactly once.

    The worker claims a position with its outcome when the read returns; the request claims it
    with a timeout when it gives up. ``dict.setdefault`` is atomic, so whichever claims first
    wins without a lock per variable.
    """

    __slots__ = ("claims", "current", "declarations", "latch", "max_bytes", "started")

    def __init__(self, declarations: Sequence[Declaration], max_bytes: int) -> None:
        self.declarations = declarations
        self.max_bytes = max_bytes
        self.claims: dict[int, Outcome] = {}
        self.current = 0
        self.started = time.perf_counter()
        # Held until the worker has read everything: a plain lock is the cheapest wake-up.
        self.latch = threading.Lock()
        self.latch.acquire()


class Evaluator:
    """Reads declarations with a per-variable time limit, caching and error isolation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[SimpleQueue[_Batch]] = []
        self._hung: dict[Declaration, float] = {}
        self._cache: dict[Declaration, tuple[float, Outcome]] = {}
        self._logged: dict[Declaration, tuple[str, float]] = {}
        self._split: tuple[Sequence[Declaration], list[int], list[int]] | None = None

    @property
    def hung(self) -> int:
        return len(self._hung)

    def evaluate(
        self, declarations: Sequence[Declaration], timeout: float | None, max_bytes: int
    ) -> list[Outcome]:
        """Return one outcome per declaration, in the same order.

        Declarations marked ``never_blocks`` are read in the calling thread; the others are read
        by a worker the caller waits for, at most ``timeout`` seconds per variable. With
        ``timeout`` None every value is read in the calling thread: no hand-off, and no
        protection from a ``value()`` that hangs.
        """
        outcomes: list[Outcome | None] = [None] * len(declarations)
        inline: list[int]
        guarded: list[int]
        if timeout is None:
            inline, guarded = list(range(len(declarations))), []
        else:
            inline, guarded = self._partition(declarations)
        if self._hung or self._cache:
            inline = self._unsettled(declarations, inline, outcomes)
            guarded = self._unsettled(declarations, guarded, outcomes)
        self._read_into(declarations, inline, outcomes, max_bytes)
        while guarded:
            guarded = self._run(declarations, guarded, outcomes, timeout or 0.0, max_bytes)
        return outcomes  # type: ignore[return-value]

    def _partition(self, declarations: Sequence[Declaration]) -> tuple[list[int], list[int]]:
        # A layout is immutable and reused by every request until it is replaced: split it once.
        split = self._split
        if split is None or split[0] is not declarations:
            inline = [i for i, d in enumerate(declarations) if d.never_blocks]
            guarded = [i for i, d in enumerate(declarations) if not d.never_blocks]
            split = self._split = (declarations, inline, guarded)
        return split[1], split[2]

    def _unsettled(
        self,
        declarations: Sequence[Declaration],
        indices: list[int],
        outcomes: list[Outcome | None],
    ) -> list[int]:
        """Settle hung and cached declarations from memory; return the indices left to read."""
        left = []
        now = time.monotonic()
        for index in indices:
            declaration = declarations[index]
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
            entry = self._cache.get(declaration)
            if entry is not None and entry[0] > now:
                outcomes[index] = entry[1]
                continue
            left.append(index)
        return left

    def _read_into(
        self,
        declarations: Sequence[Declaration],
        indices: list[int],
        outcomes: list[Outcome | None],
        max_bytes: int,
    ) -> None:
        """Read ``indices`` in this thread; each read's end time is the next one's start."""
        clock = time.perf_counter
        started = clock()
        for index in indices:
            declaration = declarations[index]
            outcome, finished = self._read(declaration, max_bytes, started)
            outcomes[index] = outcome
            started = finished

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
        claims = batch.claims
        wait = timeout
        while not batch.latch.acquire(timeout=wait):
            # current before started: the worker writes them in the other order, so a fresh
            # position is never paired with a stale start.
            stuck = batch.current
            elapsed = time.perf_counter() - batch.started
            if elapsed < timeout or stuck >= len(batch.declarations):
                wait = max(timeout - elapsed, 0.001)
                continue
            declaration = batch.declarations[stuck]
            timed_out = Outcome(
                status=TIMEOUT,
                error=f"value() did not return within EXPVAR_TIMEOUT ({timeout:g}s)",
                duration=elapsed,
            )
            # Marked hung before the claim, so that the worker, which unmarks it only after
            # losing the claim, can never unmark it first.
            self._hung[declaration] = time.monotonic() - elapsed
            if claims.setdefault(stuck, timed_out) is not timed_out:
                self._hung.pop(declaration, None)  # it returned just in time
                wait = 0.001
                continue
            self._log(declaration, timed_out)
            for position in range(stuck + 1):
                outcomes[pending[position]] = claims[position]
            return pending[stuck + 1 :]
        for position, index in enumerate(pending):
            outcomes[index] = claims[position]
        return []

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
        claims = batch.claims
        started = time.perf_counter()
        for position, declaration in enumerate(batch.declarations):
            batch.started = started
            batch.current = position
            outcome, started = self._read(declaration, max_bytes, started)
            if claims.setdefault(position, outcome) is not outcome:
                # The request gave up on this one while it ran; it may be read again now.
                self._hung.pop(declaration, None)
                return
        batch.latch.release()

    def read(self, declaration: Declaration, max_bytes: int) -> Outcome:
        """Call one variable's ``value()`` and encode what it returns; never raises."""
        return self._read(declaration, max_bytes, time.perf_counter())[0]

    def _read(
        self, declaration: Declaration, max_bytes: int, started: float
    ) -> tuple[Outcome, float]:
        """Read one value; return its outcome and the time the read finished."""
        try:
            value = declaration.read()
            if type(value) is int:
                text = int.__repr__(value)
            else:
                value, text = encode(value, max_bytes)
        except BaseException as exc:  # a variable may not take the worker down, even by exit()
            finished = time.perf_counter()
            if isinstance(exc, EncodingError):
                failed = Outcome(ERROR, None, None, str(exc), None, finished - started)
            else:
                error = f"{type(exc).__name__}: {exc}"
                failed = Outcome(ERROR, None, None, error, exc, finished - started)
            self._log(declaration, failed)
            return failed, finished
        finished = time.perf_counter()
        # Positional: keyword construction costs twice as much, once per variable per request.
        outcome = Outcome(OK, value, text, None, None, finished - started)
        if declaration.cache_ttl:
            self._cache[declaration] = (
                time.monotonic() + declaration.cache_ttl,
                Outcome(OK, value, text, None, None, outcome.duration, True),
            )
        return outcome, finished

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
