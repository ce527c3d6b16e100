"""Read variable values off the request thread, so that a hung ``value()`` cannot hang a request.

A request hands its variables, in order, to a thread of a small pool and waits at most
``timeout`` seconds for any one of them. A variable still running then is given up on for this
request, and the rest are handed to another thread. Each variable has at most one call in
flight: a read that finds another request's call of the same variable under way waits for that
call's result instead of calling again, unless it has already run for ``timeout`` seconds, in
which case the variable is skipped at once. So a hung variable holds one thread however many
requests arrive, and a burst of requests calls each variable once.

The rules live once, in ``_reading()``, a generator that says what to wait for; ``evaluate()``
waits by blocking, and ``evaluate_async()`` (for async views) by awaiting, so no thread is
started per request and the event loop is never blocked.

What a read finds is kept in columns (``Readings``: values, JSON texts, durations), with a
report object only for a failure: the endpoint needs no more, and a report per variable is made
only for the dashboard and the command, which ask for one.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from concurrent.futures import Future, wait
from functools import partial
from types import CoroutineType
from typing import Any

from django.db import close_old_connections, connections

from expvar.encoding import EncodingError, encode
from expvar.registry import Declaration
from expvar.reports import ERROR, OK, TIMEOUT, VariableReport, describe

logger = logging.getLogger("expvar")

# A pool thread with nothing to do for this long ends, so a burst leaves no threads behind.
IDLE_SECONDS = 2.0
LOG_REPEAT_SECONDS = 300.0


class Readings:
    """What one read of ``declarations`` found, column by column, in their order.

    Indexed, it gives one declaration's ``VariableReport``, made when first asked for.
    """

    __slots__ = ("_reports", "cached", "declarations", "durations", "failures", "texts", "values")

    def __init__(self, declarations: Sequence[Declaration]) -> None:
        count = len(declarations)
        self.declarations = declarations
        self.values: list[Any] = [None] * count
        # Each value as compact JSON, as published; None where there is none (see failures).
        self.texts: list[str | None] = [None] * count
        # None until the declaration's read has ended, one way or the other.
        self.durations: list[float | None] = [None] * count
        self.failures: dict[int, VariableReport] = {}
        self.cached: set[int] = set()
        self._reports: dict[int, VariableReport] = {}

    def __len__(self) -> int:
        return len(self.declarations)

    def __getitem__(self, position: int) -> VariableReport:
        report = self._reports.get(position)
        if report is None:
            declaration, duration = self.declarations[position], self.durations[position]
            if position in self.failures:
                report = self.failures[position]
            elif duration is None:  # only if the thread reading it failed itself
                report = VariableReport(declaration, ERROR, error="not read: its reader failed")
            else:
                report = VariableReport(
                    declaration,
                    OK,
                    self.values[position],
                    self.texts[position],
                    duration=duration,
                    cached=position in self.cached,
                )
            self._reports[position] = report
        return report

    def __iter__(self) -> Iterator[VariableReport]:
        return map(self.__getitem__, range(len(self)))

    def take(self, positions: Sequence[int], part: Readings, count: int) -> None:
        """Copy the first ``count`` of ``part``'s readings to ``positions`` here."""
        for index in range(count):
            position = positions[index]
            self.values[position] = part.values[index]
            self.texts[position] = part.texts[index]
            self.durations[position] = part.durations[index]
            if index in part.failures:
                self.failures[position] = part.failures[index]
            if index in part.cached:
                self.cached.add(position)


class _Pool:
    """Daemon threads that run jobs: one starts when none is idle; one idle too long ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[Future[None], Callable[[], None]]] = queue.SimpleQueue()
        # Threads waiting for a job, less the jobs queued for them.
        self._idle = 0

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
                            continue  # queued for an idle thread: this one
                        self._idle -= 1
                        return
                try:
                    job()
                except Exception:  # the reader's own failure: its variables are reported unread
                    logger.exception("expvar: a reader thread failed")
                finally:
                    future.set_result(None)
                    # A value() may have used the database from this thread: honour
                    # CONN_MAX_AGE as a request would.
                    close_old_connections()
                with self._lock:
                    self._idle += 1
        finally:
            connections.close_all()


class _Batch:
    """Declarations one thread reads in order for one request, and how far it has got.

    Another request that finds one of them under way waits for its reading: it adds itself to
    ``waiters`` under the evaluator's lock and then looks at the reading's duration; the batch
    writes the reading and then looks at ``waiters``. Whichever comes second sees the other, so
    the usual read, which nobody waits for, takes no lock and makes no Event.
    """

    __slots__ = ("max_bytes", "position", "read", "started", "stop", "timeout", "waiters")

    def __init__(self, declarations: Sequence[Declaration], timeout: float, max_bytes: int) -> None:
        self.read = Readings(declarations)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.position = 0
        self.started = time.monotonic()
        self.stop = False  # set by the request when it gives up on the batch
        self.waiters: dict[int, list[threading.Event]] = {}


# A value() call under way: the batch making it, the declaration's position there, its start.
_Call = tuple[_Batch, int, float]
Waits = Generator[tuple[Future[None], float], None, Readings]


class Evaluator:
    """Reads declarations with a per-variable time limit, caching and error isolation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool = _Pool()
        self._calls: dict[Declaration, _Call] = {}
        # Coroutine values being awaited, and since when (each on the loop that started it).
        self._tasks: dict[Declaration, tuple[asyncio.Task[Readings], float]] = {}
        # Good values kept for their cache_ttl: until when, the value, its text, its duration.
        self._cache: dict[Declaration, tuple[float, Any, str | None, float]] = {}
        self._logged: dict[Declaration, tuple[str, float]] = {}

    @property
    def in_flight(self) -> int:
        """How many ``value()`` calls are under way (hung ones included)."""
        return len(self._calls)

    def evaluate(
        self,
        declarations: Sequence[Declaration],
        timeout: float | None,
        max_bytes: int,
        in_place: Collection[int] = (),
    ) -> Readings:
        """Read every declaration once, in the order of ``declarations``.

        With ``timeout`` None every value is read in the calling thread: no hand-off, and no
        protection from a ``value()`` that hangs. So are the declarations at the positions
        ``in_place``, which the caller knows read this process's memory and cannot hang.
        """
        if timeout is None:
            return self._read_here(declarations, max_bytes)
        here = [i for i in range(len(declarations)) if i in in_place]
        handed = [i for i in range(len(declarations)) if i not in in_place]
        parts = [(here, self._read_here([declarations[i] for i in here], max_bytes))]
        if handed:
            reading = self._reading([declarations[i] for i in handed], timeout, max_bytes)
            parts.append((handed, self._waited_for(reading)))
        return _combined(declarations, parts)

    @staticmethod
    def _waited_for(waits: Waits) -> Readings:
        try:
            future, seconds = next(waits)
            while True:
                wait([future], timeout=seconds)
                future, seconds = waits.send(None)
        except StopIteration as finished:
            readings: Readings = finished.value
            return readings

    async def evaluate_async(
        self,
        declarations: Sequence[Declaration],
        timeout: float | None,
        max_bytes: int,
        in_place: Collection[int] = (),
    ) -> Readings:
        """``evaluate()`` for async views: nothing blocks the event loop.

        ``async def value()`` variables are awaited on the loop, all at once, under the same
        timeout; the others are read by the pool as ``evaluate()`` reads them, and awaited, but
        for the ``in_place`` ones, which are read on the loop.
        """
        awaited: list[int] = []
        here: list[int] = []
        handed: list[int] = []
        for position, declaration in enumerate(declarations):
            if declaration.is_async:
                awaited.append(position)
            elif timeout is None or position in in_place:
                here.append(position)
            else:
                handed.append(position)
        parts = [(here, self._read_here([declarations[i] for i in here], max_bytes))]
        awaiting = self._awaited([declarations[i] for i in awaited], timeout, max_bytes)
        if timeout is None or not handed:
            parts.append((awaited, await awaiting))
        else:
            pooled = self._waited(
                self._reading([declarations[i] for i in handed], timeout, max_bytes)
            )
            on_loop, from_pool = await asyncio.gather(awaiting, pooled)
            parts += [(awaited, on_loop), (handed, from_pool)]
        return _combined(declarations, parts)

    @staticmethod
    async def _waited(waits: Waits) -> Readings:
        try:
            future, seconds = next(waits)
            while True:
                await asyncio.wait([asyncio.wrap_future(future)], timeout=seconds)
                future, seconds = waits.send(None)
        except StopIteration as finished:
            readings: Readings = finished.value
            return readings

    async def _awaited(
        self, declarations: Sequence[Declaration], timeout: float | None, max_bytes: int
    ) -> Readings:
        """Await coroutine values on this loop, one task per variable however many ask."""
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        readings = Readings(declarations)
        waiting: dict[int, tuple[asyncio.Task[Readings], float]] = {}
        for position, declaration in enumerate(declarations):
            if self._from_cache(readings, position, declaration):
                continue
            task, started = self._tasks.get(declaration, (None, now))
            if task is None or task.get_loop() is not loop:
                task, started = loop.create_task(self._read_async(declaration, max_bytes)), now
                self._tasks[declaration] = (task, started)
            waiting[position] = (task, started)
        if waiting:
            latest = max(started for _, started in waiting.values())
            longest = None if timeout is None else latest + timeout - now
            if longest is None or longest > 0:
                await asyncio.wait([task for task, _ in waiting.values()], timeout=longest)
        for position, (task, started) in waiting.items():
            if task.done():
                readings.take([position], task.result(), 1)
                continue
            declaration = declarations[position]
            readings.failures[position] = (
                self._still_running(declaration, started)
                if started < now
                else self._timed_out(declaration, timeout or 0.0, time.monotonic() - started)
            )
            readings.durations[position] = time.monotonic() - started
        return readings

    async def _read_async(self, declaration: Declaration, max_bytes: int) -> Readings:
        one = Readings((declaration,))
        started = time.monotonic()
        try:
            value = declaration.read()
            if inspect.isawaitable(value):
                value = await value
            one.values[0], one.texts[0] = encode(value, max_bytes)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self._failed(one, 0, declaration, started, exc)
        else:
            one.durations[0] = time.monotonic() - started
            if declaration.cache_ttl:
                self._keep(one, 0, declaration, time.monotonic() + declaration.cache_ttl)
        finally:
            self._tasks.pop(declaration, None)
        return one

    def _reading(
        self, declarations: Sequence[Declaration], timeout: float, max_bytes: int
    ) -> Waits:
        """Hand the declarations to the pool; yield what to wait for and for how long."""
        readings: Readings | None = None
        pending = list(range(len(declarations)))
        while True:
            batch = _Batch([declarations[i] for i in pending], timeout, max_bytes)
            future = self._pool.submit(partial(self._read_batch, batch))
            seconds = timeout
            while True:
                yield future, seconds
                if future.done():
                    if readings is None:
                        return batch.read  # the usual case: one batch read them all
                    readings.take(pending, batch.read, len(pending))
                    return readings
                # The position before its start: the batch writes them in the other order, so
                # a fresh position is never paired with the start of the read before it.
                position = batch.position
                elapsed = time.monotonic() - batch.started
                if elapsed < timeout:
                    seconds = max(timeout - elapsed, 0.001)
                    continue
                batch.stop = True
                break
            if readings is None:
                readings = Readings(declarations)
            readings.take(pending, batch.read, position)
            given_up = pending[position]
            readings.durations[given_up] = elapsed
            readings.failures[given_up] = self._timed_out(declarations[given_up], timeout, elapsed)
            pending = pending[position + 1 :]
            if not pending:
                return readings

    def _read_batch(self, batch: _Batch) -> None:
        calls, read, max_bytes = self._calls, batch.read, batch.max_bytes
        # A read starts when the one before it ends: one clock read per variable.
        started = time.monotonic()
        for position, declaration in enumerate(read.declarations):
            if batch.stop:
                return
            batch.started = started  # before the position, which _reading() reads first
            batch.position = position
            if declaration.cache_ttl and self._from_cache(read, position, declaration):
                started = time.monotonic()
                continue
            call = calls.setdefault(declaration, (batch, position, started))  # one caller wins
            if call[0] is not batch:
                self._wait_for(call, read, position)
                started = time.monotonic()
                continue
            try:
                started = self._read_one(read, position, declaration, max_bytes, started)
            finally:
                # This map, not self._calls: after a fork that is a new one.
                del calls[declaration]
            if batch.waiters:
                with self._lock:
                    for waiter in batch.waiters.pop(position, ()):
                        waiter.set()

    def _wait_for(self, call: _Call, into: Readings, position: int) -> None:
        batch, at, started = call
        remaining = started + batch.timeout - time.monotonic()
        if remaining > 0:
            done = threading.Event()
            with self._lock:
                batch.waiters.setdefault(at, []).append(done)
            if batch.read.durations[at] is None:
                done.wait(remaining)
        found = batch.read
        if (duration := found.durations[at]) is None:
            into.durations[position] = time.monotonic() - started
            into.failures[position] = self._still_running(into.declarations[position], started)
            return
        into.values[position], into.texts[position] = found.values[at], found.texts[at]
        into.durations[position] = duration
        if at in found.failures:
            into.failures[position] = found.failures[at]

    def _read_here(self, declarations: Sequence[Declaration], max_bytes: int) -> Readings:
        readings = Readings(declarations)
        started = time.monotonic()
        for position, declaration in enumerate(declarations):
            if declaration.cache_ttl and self._from_cache(readings, position, declaration):
                started = time.monotonic()
            else:
                started = self._read_one(readings, position, declaration, max_bytes, started)
        return readings

    def _read_one(
        self,
        into: Readings,
        position: int,
        declaration: Declaration,
        max_bytes: int,
        started: float,
    ) -> float:
        """Read one declaration into ``into``; return when the read ended."""
        try:
            value = declaration.read()
            if isinstance(value, CoroutineType):
                value = asyncio.run(value)
            into.values[position], into.texts[position] = encode(value, max_bytes)
        except BaseException as exc:  # a variable may not take the reader down, even with exit()
            return self._failed(into, position, declaration, started, exc)
        ended = time.monotonic()
        into.durations[position] = ended - started
        if declaration.cache_ttl:
            self._keep(into, position, declaration, ended + declaration.cache_ttl)
        return ended

    def _keep(
        self, readings: Readings, position: int, declaration: Declaration, until: float
    ) -> None:
        """Keep a value just read, for its declaration's ``cache_ttl``: ``until`` then."""
        self._cache[declaration] = (
            until,
            readings.values[position],
            readings.texts[position],
            readings.durations[position] or 0.0,
        )

    def _failed(
        self,
        into: Readings,
        position: int,
        declaration: Declaration,
        started: float,
        exc: BaseException,
    ) -> float:
        """Note why a read failed, and log it; return when it ended."""
        ended = time.monotonic()
        if isinstance(exc, EncodingError):
            report = VariableReport(declaration, ERROR, error=str(exc), duration=ended - started)
        else:
            report = VariableReport(
                declaration, ERROR, error=describe(exc), exception=exc, duration=ended - started
            )
        # The failure before the duration: a waiter takes a duration as the reading's end.
        into.failures[position] = report
        into.durations[position] = ended - started
        self._log(report)
        return ended

    def _from_cache(self, into: Readings, position: int, declaration: Declaration) -> bool:
        """Fill in a value kept for its ``cache_ttl``, if there is one still good."""
        if not declaration.cache_ttl:
            return False
        entry = self._cache.get(declaration)
        if entry is None or entry[0] <= time.monotonic():
            return False
        _, into.values[position], into.texts[position], into.durations[position] = entry
        into.cached.add(position)
        return True

    @staticmethod
    def _still_running(declaration: Declaration, started: float) -> VariableReport:
        running = time.monotonic() - started
        return VariableReport(
            declaration,
            TIMEOUT,
            error=(
                f"still running: value() was called {running:.1f}s ago and has not returned; "
                "it is skipped until it does"
            ),
            duration=running,
        )

    def _timed_out(
        self, declaration: Declaration, timeout: float, elapsed: float
    ) -> VariableReport:
        report = VariableReport(
            declaration,
            TIMEOUT,
            error=f"value() did not return within EXPVAR_TIMEOUT ({timeout:g}s)",
            duration=elapsed,
        )
        self._log(report)
        return report

    def _log(self, report: VariableReport) -> None:
        # One line per variable and message every few minutes: a monitor polls every second.
        declaration, message = report.declaration, report.error or ""
        now = time.monotonic()
        last = self._logged.get(declaration)
        if last is not None and last[0] == message and now - last[1] < LOG_REPEAT_SECONDS:
            return
        self._logged[declaration] = (message, now)
        trace = report.traceback
        logger.error(
            "expvar: variable %r from %s failed: %s%s",
            declaration.name,
            declaration.origin,
            message,
            f"\n{trace}" if trace else "",
        )

    def after_fork(self) -> None:
        """Start afresh in a forked child, which has none of its parent's threads."""
        # Calls under way in the parent would never finish here, and would be skipped for good.
        self._lock = threading.Lock()
        self._pool = _Pool()
        self._calls = {}


def _combined(
    declarations: Sequence[Declaration], parts: list[tuple[list[int], Readings]]
) -> Readings:
    """Put readings of parts of ``declarations`` together, each at its positions."""
    parts = [(positions, part) for positions, part in parts if positions]
    if len(parts) == 1 and len(parts[0][0]) == len(declarations):
        return parts[0][1]  # the usual case: one part holds them all, in order
    readings = Readings(declarations)
    for positions, part in parts:
        readings.take(positions, part, len(positions))
    return readings


evaluator = Evaluator()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=evaluator.after_fork)
