"""Read variable values off the request thread, so that a hung ``value()`` cannot hang a request.

Values are read in order by a worker thread. The request waits at most ``timeout`` seconds for
any one variable; a variable still running then is given up on, remembered as hung, and the
rest continue on another worker. A hung variable keeps its one worker until its call returns,
and is skipped at once by every request meanwhile, so it never costs a thread per request.
Variables that promise never to block (``never_blocks``) are read on the request thread.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, connections

from expvar import affinity
from expvar.encoding import EncodingError, encode
from expvar.registry import Declaration

logger = logging.getLogger("expvar")

OK = "ok"
ERROR = "error"
TIMEOUT = "timeout"

_MAX_IDLE_WORKERS = 4
_LOG_REPEAT_SECONDS = 300.0

# Context managers entered around each run of reads, on the thread that reads: a store behind
# several variables can then answer all their reads from one round trip.
_read_scopes: list[Callable[[], AbstractContextManager[object]]] = []


def add_read_scope(scope: Callable[[], AbstractContextManager[object]]) -> None:
    """Enter ``scope()`` around every run of reads (once per request and thread)."""
    if scope not in _read_scopes:
        _read_scopes.append(scope)


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


class Readings:
    """What one evaluation read, as parallel lists indexed like the declarations.

    A value read fine is kept as its text, value and duration, with no object of its own, so a
    poll of many variables allocates little and gives the garbage collector nothing to track.
    Errors, timeouts and cached values are full outcomes in ``settled``.
    """

    __slots__ = ("durations", "settled", "texts", "values")

    def __init__(self, count: int) -> None:
        self.texts: list[str | None] = [None] * count
        self.values: list[Any] = [None] * count
        self.durations: list[float] = [0.0] * count
        self.settled: dict[int, Outcome] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index: int) -> Outcome:
        settled = self.settled.get(index)
        if settled is not None:
            return settled
        return Outcome(OK, self.values[index], self.texts[index], None, None, self.durations[index])

    def outcomes(self) -> list[Outcome]:
        return [self[index] for index in range(len(self.texts))]

    def copy_from(self, source: Readings, targets: Sequence[int], count: int) -> None:
        """Take ``source``'s first ``count`` readings into the positions ``targets`` names."""
        texts, values, durations = self.texts, self.values, self.durations
        for position in range(count):
            index = targets[position]
            texts[index] = source.texts[position]
            values[index] = source.values[position]
            durations[index] = source.durations[position]
        # Copied in one step: a worker that was given up on may still add its late failure.
        for position, outcome in list(source.settled.items()):
            if position < count:
                self.settled[targets[position]] = outcome


class _Batch:
    """Declarations handed to a worker, and the claims that settle each one exactly once.

    The worker claims a position when its read returns; the request claims it with a timeout
    when it gives up. ``dict.setdefault`` is atomic, so whichever claims first wins without a
    lock per variable.
    """

    __slots__ = ("claims", "current", "declarations", "max_bytes", "readings", "started")

    def __init__(self, declarations: Sequence[Declaration], max_bytes: int) -> None:
        self.declarations = declarations
        self.max_bytes = max_bytes
        self.readings = Readings(len(declarations))
        self.claims: dict[int, object] = {}
        self.current = 0
        self.started = time.perf_counter()


_READ = object()  # the worker's claim


class _Worker:
    """A reading thread, woken and answered through a pair of connected local sockets.

    The request sleeps while the worker reads, so only one of the two runs at a time: both are
    kept on the request's CPU. The worker is moved there before each hand-off (Linux), and a
    byte on a local socket wakes its reader on the waker's CPU ("sync" wake-up), where a lock
    would wake it on whichever CPU is idle. A wake-up across CPUs costs a virtual machine several
    times the rest of the hand-off (see docs/performance.md).
    """

    __slots__ = ("batch", "cpu", "request_end", "thread_id", "worker_end")

    def __init__(self) -> None:
        self.request_end, self.worker_end = socket.socketpair()
        self.batch: _Batch | None = None
        self.thread_id: int | None = None
        self.cpu: int | None = None

    def hand(self, batch: _Batch) -> None:
        """Give the worker ``batch`` (from the request's thread)."""
        cpu = affinity.current_cpu()
        if cpu is not None and cpu != self.cpu and self.thread_id is not None:
            if affinity.pin(self.thread_id, cpu):
                self.cpu = cpu
            else:
                self.thread_id = None  # refused once, refused again: stop asking
        self.batch = batch
        self.request_end.send(b"\0")

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the worker's answer; True if it came."""
        self.request_end.settimeout(timeout)
        try:
            self.request_end.recv(1)
        except TimeoutError:
            return False
        return True

    def take(self) -> _Batch:
        """Wait for the next batch (in the worker's thread)."""
        self.worker_end.recv(1)
        batch, self.batch = self.batch, None
        assert batch is not None
        return batch

    def answer(self) -> None:
        """Tell the waiting request that every value of its batch is read."""
        self.worker_end.send(b"\0")

    def close(self) -> None:
        self.request_end.close()
        self.worker_end.close()


class Evaluator:
    """Reads declarations with a per-variable time limit, caching and error isolation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._hung: dict[Declaration, float] = {}
        self._cache: dict[Declaration, tuple[float, Outcome]] = {}
        self._logged: dict[Declaration, tuple[str, float]] = {}
        self._split: tuple[Sequence[Declaration], list[int], list[int]] | None = None

    @property
    def hung(self) -> int:
        return len(self._hung)

    def evaluate(
        self, declarations: Sequence[Declaration], timeout: float | None, max_bytes: int
    ) -> Readings:
        """Read every declaration once; the result is indexed like ``declarations``.

        Declarations marked ``never_blocks`` are read in the calling thread; the others are read
        by a worker the caller waits for, at most ``timeout`` seconds per variable. With
        ``timeout`` None every value is read in the calling thread: no hand-off, and no
        protection from a ``value()`` that hangs.
        """
        count = len(declarations)
        inline: Sequence[int]
        guarded: Sequence[int]
        if timeout is None:
            inline, guarded = range(count), ()
        else:
            inline, guarded = self._partition(declarations)
        readings = Readings(count)
        if self._hung or self._cache:
            inline = self._unsettled(declarations, inline, readings)
            guarded = self._unsettled(declarations, guarded, readings)
        self._read_many(declarations, inline, readings, max_bytes, None)
        pending = guarded
        while pending:
            batch, done, timed_out = self._run(declarations, pending, timeout or 0.0, max_bytes)
            if timed_out is None and len(pending) == count:
                return batch.readings  # all of them went to the worker, in order, and came back
            readings.copy_from(batch.readings, pending, done)
            if timed_out is None:
                break
            readings.settled[pending[done]] = timed_out
            pending = pending[done + 1 :]
        return readings

    def _partition(self, declarations: Sequence[Declaration]) -> tuple[list[int], list[int]]:
        # A layout is immutable and reused by every request until it is replaced: split it once.
        split = self._split
        if split is None or split[0] is not declarations:
            inline = [i for i, d in enumerate(declarations) if d.never_blocks]
            guarded = [i for i, d in enumerate(declarations) if not d.never_blocks]
            split = self._split = (declarations, inline, guarded)
        return split[1], split[2]

    def _unsettled(
        self, declarations: Sequence[Declaration], indices: Sequence[int], readings: Readings
    ) -> list[int]:
        """Settle hung and cached declarations from memory; return the indices left to read."""
        left = []
        now = time.monotonic()
        for index in indices:
            declaration = declarations[index]
            hung_since = self._hung.get(declaration)
            if hung_since is not None:
                readings.settled[index] = Outcome(
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
                cached = readings.settled[index] = entry[1]
                readings.texts[index] = cached.encoded
                readings.values[index] = cached.value
                readings.durations[index] = cached.duration
                continue
            left.append(index)
        return left

    def _read_many(
        self,
        declarations: Sequence[Declaration],
        indices: Iterable[int],
        readings: Readings,
        max_bytes: int,
        batch: _Batch | None,
    ) -> bool:
        """Read ``indices`` into ``readings`` in this thread; False if a request gave up on one.

        Each read's end time is the next one's start: one clock reading per variable.
        """
        if not _read_scopes:
            return self._read_each(declarations, indices, readings, max_bytes, batch)
        if len(_read_scopes) == 1:  # the usual case: spare the ExitStack
            with _read_scopes[0]():
                return self._read_each(declarations, indices, readings, max_bytes, batch)
        with ExitStack() as scopes:
            for scope in _read_scopes:
                scopes.enter_context(scope())
            return self._read_each(declarations, indices, readings, max_bytes, batch)

    def _read_each(
        self,
        declarations: Sequence[Declaration],
        indices: Iterable[int],
        readings: Readings,
        max_bytes: int,
        batch: _Batch | None,
    ) -> bool:
        clock = time.perf_counter
        texts, values, durations = readings.texts, readings.values, readings.durations
        claims = batch.claims if batch is not None else None
        started = clock()
        for index in indices:
            declaration = declarations[index]
            if batch is not None:
                # started before current: the request reads them in the other order, so it
                # never pairs a fresh position with a stale start.
                batch.started = started
                batch.current = index
            try:
                value = declaration.read()
                if type(value) is int:
                    text = int.__repr__(value)
                else:
                    value, text = encode(value, max_bytes)
            except BaseException as exc:  # a variable may not take the worker down, even exit()
                finished = clock()
                readings.settled[index] = self._failed(declaration, exc, finished - started)
            else:
                finished = clock()
                texts[index] = text
                values[index] = value
                durations[index] = finished - started
                if declaration.cache_ttl:
                    self._remember(declaration, value, text, finished - started)
            started = finished
            if claims is not None and claims.setdefault(index, _READ) is not _READ:
                # The request gave up on this one while it ran; it may be read again now.
                self._hung.pop(declaration, None)
                return False
        return True

    def _failed(self, declaration: Declaration, exc: BaseException, duration: float) -> Outcome:
        if isinstance(exc, EncodingError):
            failed = Outcome(ERROR, None, None, str(exc), None, duration)
        else:
            failed = Outcome(ERROR, None, None, f"{type(exc).__name__}: {exc}", exc, duration)
        self._log(declaration, failed)
        return failed

    def _remember(self, declaration: Declaration, value: Any, text: str, duration: float) -> None:
        expires = time.monotonic() + (declaration.cache_ttl or 0.0)
        self._cache[declaration] = (expires, Outcome(OK, value, text, None, None, duration, True))

    def _run(
        self,
        declarations: Sequence[Declaration],
        pending: Sequence[int],
        timeout: float,
        max_bytes: int,
    ) -> tuple[_Batch, int, Outcome | None]:
        """Hand ``pending`` to a worker and wait.

        Return its batch, how many of its readings are complete, and the timeout outcome of the
        one it gave up on, if any (the readings after it are left for another worker).
        """
        batch = _Batch([declarations[index] for index in pending], max_bytes)
        worker = self._acquire()
        worker.hand(batch)
        claims = batch.claims
        wait = timeout
        while not worker.wait(wait):
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
            return batch, stuck, timed_out
        return batch, len(pending), None

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        worker = _Worker()
        thread = threading.Thread(
            target=self._serve, args=(worker,), name="expvar-evaluator", daemon=True
        )
        thread.start()
        worker.thread_id = thread.native_id
        return worker

    def _serve(self, worker: _Worker) -> None:
        try:
            while True:
                batch = worker.take()
                if self._read_many(
                    batch.declarations,
                    range(len(batch.declarations)),
                    batch.readings,
                    batch.max_bytes,
                    batch,
                ):
                    worker.answer()
                # A value() may have used the database from this thread: honour CONN_MAX_AGE
                # as a request would.
                close_old_connections()
                with self._lock:
                    if len(self._idle) >= _MAX_IDLE_WORKERS:
                        return
                    self._idle.append(worker)
        finally:
            worker.close()
            connections.close_all()

    def after_fork(self) -> None:
        """Forget the parent's workers in a forked child, which has none of its threads."""
        # Idle ones would never answer, and variables hung in one would be skipped for good.
        for worker in self._idle:
            worker.close()  # the child's copies of the sockets; the parent keeps its own
        self._idle = []
        self._hung = {}
        self._lock = threading.Lock()

    def read(self, declaration: Declaration, max_bytes: int) -> Outcome:
        """Call one variable's ``value()`` and encode what it returns; never raises."""
        readings = Readings(1)
        self._read_many((declaration,), (0,), readings, max_bytes, None)
        return readings[0]

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


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=evaluator.after_fork)
