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
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Collection, Generator, Sequence
from concurrent.futures import Future, wait
from dataclasses import replace
from functools import partial
from types import CoroutineType

from django.db import close_old_connections, connections

from expvar.encoding import EncodingError, encode
from expvar.registry import Declaration
from expvar.reports import ERROR, OK, TIMEOUT, VariableReport, describe

logger = logging.getLogger("expvar")

# A pool thread with nothing to do for this long ends, so a burst leaves no threads behind.
IDLE_SECONDS = 2.0
LOG_REPEAT_SECONDS = 300.0


def read_value(
    declaration: Declaration, max_bytes: int, started: float | None = None
) -> VariableReport:
    """Call one variable's ``value()`` and encode what it returns; never raises.

    An ``async def value()`` runs to completion here, in its own event loop. ``started`` is
    the ``time.monotonic()`` the caller has just read, if it has.
    """
    if started is None:
        started = time.monotonic()
    try:
        value = declaration.read()
        if isinstance(value, CoroutineType):
            value = asyncio.run(value)
        value, text = encode(value, max_bytes)
    except BaseException as exc:  # a variable may not take the reader down, even with exit()
        return _failed(declaration, exc, started)
    return VariableReport(declaration, OK, value, text, None, None, time.monotonic() - started)


async def read_value_async(declaration: Declaration, max_bytes: int) -> VariableReport:
    """Await one variable's ``async def value()`` and encode what it gives; never raises."""
    started = time.monotonic()
    try:
        value = declaration.read()
        if inspect.isawaitable(value):
            value = await value
        value, text = encode(value, max_bytes)
    except asyncio.CancelledError:
        raise
    except BaseException as exc:
        return _failed(declaration, exc, started)
    return VariableReport(declaration, OK, value, text, None, None, time.monotonic() - started)


def _failed(declaration: Declaration, exc: BaseException, started: float) -> VariableReport:
    duration = time.monotonic() - started
    if isinstance(exc, EncodingError):
        return VariableReport(declaration, ERROR, error=str(exc), duration=duration)
    return VariableReport(declaration, ERROR, error=describe(exc), exception=exc, duration=duration)


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

    Another request that finds one of them under way waits for its report: it adds itself to
    ``waiters`` under the evaluator's lock and then looks at the report; the batch writes the
    report and then looks at ``waiters``. Whichever comes second sees the other, so the usual
    read, which nobody waits for, takes no lock and makes no Event.
    """

    __slots__ = (
        "declarations",
        "max_bytes",
        "position",
        "reports",
        "started",
        "stop",
        "timeout",
        "waiters",
    )

    def __init__(self, declarations: Sequence[Declaration], timeout: float, max_bytes: int) -> None:
        self.declarations = declarations
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.reports: list[VariableReport | None] = [None] * len(declarations)
        self.position = 0
        self.started = time.monotonic()
        self.stop = False  # set by the request when it gives up on the batch
        self.waiters: dict[int, list[threading.Event]] = {}


# A value() call under way: the batch making it, the declaration's position there, its start.
_Call = tuple[_Batch, int, float]
Waits = Generator[tuple[Future[None], float], None, list[VariableReport]]


class Evaluator:
    """Reads declarations with a per-variable time limit, caching and error isolation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool = _Pool()
        self._calls: dict[Declaration, _Call] = {}
        # Coroutine values being awaited, and since when (each on the loop that started it).
        self._tasks: dict[Declaration, tuple[asyncio.Task[VariableReport], float]] = {}
        self._cache: dict[Declaration, tuple[float, VariableReport]] = {}
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
    ) -> list[VariableReport]:
        """Read every declaration once; the reports are in the order of ``declarations``.

        With ``timeout`` None every value is read in the calling thread: no hand-off, and no
        protection from a ``value()`` that hangs. So are the declarations at the positions
        ``in_place``, which the caller knows read this process's memory and cannot hang.
        """
        if timeout is None:
            return [self._read(d, max_bytes) for d in declarations]
        handed = [d for i, d in enumerate(declarations) if i not in in_place]
        from_pool = iter(self._waited_for(self._reading(handed, timeout, max_bytes)))
        return [
            self._read(d, max_bytes) if i in in_place else next(from_pool)
            for i, d in enumerate(declarations)
        ]

    @staticmethod
    def _waited_for(waits: Waits) -> list[VariableReport]:
        try:
            future, seconds = next(waits)
            while True:
                wait([future], timeout=seconds)
                future, seconds = waits.send(None)
        except StopIteration as finished:
            reports: list[VariableReport] = finished.value
            return reports

    async def evaluate_async(
        self,
        declarations: Sequence[Declaration],
        timeout: float | None,
        max_bytes: int,
        in_place: Collection[int] = (),
    ) -> list[VariableReport]:
        """``evaluate()`` for async views: nothing blocks the event loop.

        ``async def value()`` variables are awaited on the loop, all at once, under the same
        timeout; the others are read by the pool as ``evaluate()`` reads them, and awaited, but
        for the ``in_place`` ones, which are read on the loop.
        """
        awaited: list[Declaration] = []
        here: list[Declaration] = []
        threaded: list[Declaration] = []
        for i, declaration in enumerate(declarations):
            if declaration.is_async:
                awaited.append(declaration)
            elif timeout is None or i in in_place:
                here.append(declaration)
            else:
                threaded.append(declaration)
        read_here = [self._read(d, max_bytes) for d in here]
        read: list[VariableReport] = []  # with no timeout, nothing is threaded
        if timeout is None:
            on_loop = [await read_value_async(d, max_bytes) for d in awaited]
        else:
            read, on_loop = await asyncio.gather(
                self._waited(self._reading(threaded, timeout, max_bytes)),
                self._awaited(awaited, timeout, max_bytes),
            )
        by_declaration = dict(
            zip([*here, *threaded, *awaited], [*read_here, *read, *on_loop], strict=True)
        )
        return [by_declaration[d] for d in declarations]

    @staticmethod
    async def _waited(waits: Waits) -> list[VariableReport]:
        try:
            future, seconds = next(waits)
            while True:
                await asyncio.wait([asyncio.wrap_future(future)], timeout=seconds)
                future, seconds = waits.send(None)
        except StopIteration as finished:
            reports: list[VariableReport] = finished.value
            return reports

    async def _awaited(
        self, declarations: Sequence[Declaration], timeout: float, max_bytes: int
    ) -> list[VariableReport]:
        """Await coroutine values on this loop, one task per variable however many ask."""
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        reports: dict[Declaration, VariableReport] = {}
        waiting: dict[Declaration, tuple[asyncio.Task[VariableReport], float]] = {}
        for declaration in declarations:
            cached = self._cached(declaration)
            if cached is not None:
                reports[declaration] = cached
                continue
            task, started = self._tasks.get(declaration, (None, now))
            if task is None or task.get_loop() is not loop:
                task, started = loop.create_task(self._read_async(declaration, max_bytes)), now
                self._tasks[declaration] = (task, started)
            waiting[declaration] = (task, started)
        if waiting:
            longest = max(started + timeout for _, started in waiting.values()) - now
            if longest > 0:
                await asyncio.wait([task for task, _ in waiting.values()], timeout=longest)
        for declaration, (task, started) in waiting.items():
            if task.done():
                reports[declaration] = replace(task.result())
            elif started < now:
                reports[declaration] = self._still_running(declaration, started)
            else:
                reports[declaration] = self._timed_out(declaration, timeout, timeout)
        return [reports[d] for d in declarations]

    async def _read_async(self, declaration: Declaration, max_bytes: int) -> VariableReport:
        try:
            report = await read_value_async(declaration, max_bytes)
            self._remember(report)
            return report
        finally:
            self._tasks.pop(declaration, None)

    def _reading(
        self, declarations: Sequence[Declaration], timeout: float, max_bytes: int
    ) -> Waits:
        """Hand the declarations to the pool; yield what to wait for and for how long."""
        reports: list[VariableReport | None] = [None] * len(declarations)
        pending = list(range(len(declarations)))
        while pending:
            batch = _Batch([declarations[i] for i in pending], timeout, max_bytes)
            future = self._pool.submit(partial(self._read_batch, batch))
            seconds = timeout
            while True:
                yield future, seconds
                if future.done():
                    given_up = None
                    break
                # started before position: the batch writes them in the other order, so a
                # fresh position is never paired with a stale start.
                started, position = batch.started, batch.position
                elapsed = time.monotonic() - started
                if elapsed < timeout:
                    seconds = max(timeout - elapsed, 0.001)
                    continue
                batch.stop = True
                given_up = position
                break
            done = len(pending) if given_up is None else given_up
            for offset in range(done):
                reports[pending[offset]] = batch.reports[offset]
            if given_up is None:
                break
            reports[pending[given_up]] = self._timed_out(
                declarations[pending[given_up]], timeout, elapsed
            )
            pending = pending[given_up + 1 :]
        return [
            report or VariableReport(declaration, ERROR, error="not read: its reader failed")
            for declaration, report in zip(declarations, reports, strict=True)
        ]

    def _read_batch(self, batch: _Batch) -> None:
        calls, reports, max_bytes = self._calls, batch.reports, batch.max_bytes
        for position, declaration in enumerate(batch.declarations):
            if batch.stop:
                return
            batch.started = started = time.monotonic()
            batch.position = position
            if declaration.cache_ttl and (cached := self._cached(declaration)) is not None:
                reports[position] = cached
                continue
            call = calls.setdefault(declaration, (batch, position, started))  # one caller wins
            if call[0] is not batch:
                reports[position] = self._wait_for(call, declaration, batch.timeout)
                continue
            try:
                report = read_value(declaration, max_bytes, started)
                self._remember(report)
            finally:
                # This map, not self._calls: after a fork that is a new one.
                del calls[declaration]
            reports[position] = report
            if batch.waiters:
                with self._lock:
                    for waiter in batch.waiters.pop(position, ()):
                        waiter.set()

    def _wait_for(self, call: _Call, declaration: Declaration, timeout: float) -> VariableReport:
        batch, position, started = call
        remaining = started + timeout - time.monotonic()
        if remaining > 0:
            done = threading.Event()
            with self._lock:
                batch.waiters.setdefault(position, []).append(done)
            if batch.reports[position] is None:
                done.wait(remaining)
        report = batch.reports[position]
        if report is not None:
            return replace(report)
        return self._still_running(declaration, started)

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

    def _read(self, declaration: Declaration, max_bytes: int) -> VariableReport:
        if (found := self._cached(declaration)) is not None:
            return found
        report = read_value(declaration, max_bytes)
        self._remember(report)
        return report

    def _remember(self, report: VariableReport) -> None:
        """Cache a good value for its ``cache_ttl``; log a failure."""
        declaration = report.declaration
        if report.status == OK and declaration.cache_ttl:
            expires = time.monotonic() + declaration.cache_ttl
            self._cache[declaration] = (expires, replace(report, cached=True))
        elif report.status != OK:
            self._log(report)

    def _cached(self, declaration: Declaration) -> VariableReport | None:
        if not declaration.cache_ttl:
            return None
        entry = self._cache.get(declaration)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return replace(entry[1])  # the name rules mark up their own copy

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


evaluator = Evaluator()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=evaluator.after_fork)
