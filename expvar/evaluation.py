"""Read variable values off the request thread, so that a hung ``value()`` cannot hang a request.

A request hands its variables, in order, to a pool thread and waits at most ``timeout`` seconds
for any one of them. A variable still running then is given up on for this request, and the rest
are handed to another thread. Each variable has at most one call in flight: a read that finds
another request's call under way waits for its result, unless it has already run for
``timeout``, in which case the variable is skipped at once. So a hung variable holds one thread
however many requests arrive, and a burst of requests calls each variable once.

``async def value()`` variables are awaited on the event loop by async views, with one task per
variable however many requests ask; sync views run them to completion in a pool thread.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import threading
import time
from collections.abc import Collection, Generator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from types import CoroutineType
from typing import Any

from expvar.conf import Config
from expvar.encoding import EncodingError, encode
from expvar.pool import Pool
from expvar.registry import Declaration
from expvar.reports import ERROR, TIMEOUT, Readings, VariableReport, describe

logger = logging.getLogger("expvar")

LOG_REPEAT_SECONDS = 300.0


@dataclass(eq=False, slots=True)
class _Batch:
    """Declarations one pool thread reads in order for one request, and how far it has got."""

    read: Readings
    timeout: float | None
    max_bytes: int
    position: int = 0
    started: float = field(default_factory=time.monotonic)
    stop: bool = False  # set by the request when it gives up on the batch
    # Events of other requests waiting for the reading at a position (see _wait_for).
    waiters: dict[int, list[threading.Event]] = field(default_factory=dict)


# What a request waits for, and for how long at most, until the readings are complete.
Waits = Generator[tuple[Future[None], float], None, Readings]
# Readings of parts of the declarations, each with the positions it holds.
Parts = list[tuple[list[int], Readings]]


class Evaluator:
    """Reads declarations with a time limit per variable, caching and error isolation."""

    def __init__(self) -> None:
        self.after_fork()
        # Good values kept for their cache_ttl: until when, the value, its text, its duration.
        self._cache: dict[Declaration, tuple[float, Any, str | None, float]] = {}
        self._logged: dict[Declaration, tuple[str, float]] = {}

    def after_fork(self) -> None:
        """Start afresh in a forked child, which has none of its parent's threads."""
        self._lock = threading.Lock()
        self._pool = Pool()
        # The value() calls under way: the batch making each, its position there, its start.
        self._calls: dict[Declaration, tuple[_Batch, int, float]] = {}
        self._tasks: dict[Declaration, tuple[asyncio.Task[Readings], float]] = {}

    @property
    def in_flight(self) -> int:
        """How many ``value()`` calls are under way (hung ones included)."""
        return len(self._calls)

    def evaluate(
        self, declarations: Sequence[Declaration], config: Config, in_place: Collection[int] = ()
    ) -> Readings:
        """Read every declaration once, in the order of ``declarations``.

        With ``config.timeout`` None every value is read in the calling thread, with no
        protection from a ``value()`` that hangs; so are the ones at the positions ``in_place``,
        which the caller knows read this process's memory.
        """
        parts, handed, waits = self._read_here_hand_off_rest(declarations, config, in_place)
        if handed:
            try:
                while True:
                    future, seconds = next(waits)
                    with suppress(FutureTimeout):
                        future.result(timeout=seconds)
            except StopIteration as finished:
                parts.append((handed, finished.value))
        return _joined(declarations, parts)

    async def evaluate_async(
        self, declarations: Sequence[Declaration], config: Config, in_place: Collection[int] = ()
    ) -> Readings:
        """``evaluate()`` for async views: nothing blocks the event loop.

        ``async def value()`` variables are awaited on the loop, all at once; the pool reads the
        others, but for the ``in_place`` ones, which are read on the loop.
        """
        awaited = [i for i, d in enumerate(declarations) if d.is_async]
        parts, handed, waits = self._read_here_hand_off_rest(
            declarations, config, in_place, set(awaited)
        )

        async def from_pool() -> Readings:
            try:
                while True:
                    future, seconds = next(waits)
                    await asyncio.wait([asyncio.wrap_future(future)], timeout=seconds)
            except StopIteration as finished:
                pooled: Readings = finished.value
                return pooled

        on_loop = self._awaited([declarations[i] for i in awaited], config)
        if handed:
            from_loop, pooled = await asyncio.gather(on_loop, from_pool())
            parts += [(awaited, from_loop), (handed, pooled)]
        else:
            parts.append((awaited, await on_loop))
        return _joined(declarations, parts)

    def _read_here_hand_off_rest(
        self,
        declarations: Sequence[Declaration],
        config: Config,
        in_place: Collection[int],
        leave_out: Collection[int] = (),
    ) -> tuple[Parts, list[int], Waits]:
        """Read the ``in_place`` declarations here; return those readings, the positions handed
        to the pool (``leave_out`` aside), and what to wait for until the pool has read them."""
        if config.timeout is None:
            in_place = range(len(declarations))
        handed = [i for i in range(len(declarations)) if i not in leave_out]
        parts = []
        if in_place:
            here = [i for i in handed if i in in_place]
            handed = [i for i in handed if i not in in_place]
            batch = _Batch(Readings([declarations[i] for i in here]), None, config.max_value_bytes)
            self._read_batch(batch)
            parts.append((here, batch.read))
        pooled = [declarations[i] for i in handed]
        waits = self._off_thread(pooled, config.timeout or 0.0, config.max_value_bytes)
        return parts, handed, waits

    def _off_thread(
        self, declarations: Sequence[Declaration], timeout: float, max_bytes: int
    ) -> Waits:
        """Hand the declarations to the pool; yield what to wait for and for how long."""
        readings = None
        pending = list(range(len(declarations)))
        while True:
            batch = _Batch(Readings([declarations[i] for i in pending]), timeout, max_bytes)
            future = self._pool.submit(partial(self._read_batch, batch))
            seconds = timeout
            while True:
                yield future, seconds
                if future.done():
                    if readings is None:
                        return batch.read  # the usual case: one batch read them all
                    batch.read.copy_to(readings, pending)
                    return readings
                # The position before its start: the batch writes them in the other order.
                position = batch.position
                elapsed = time.monotonic() - batch.started
                if elapsed >= timeout:
                    break
                seconds = max(timeout - elapsed, 0.001)
            batch.stop = True
            readings = readings or Readings(declarations)
            batch.read.copy_to(readings, pending[:position])
            given_up = pending[position]
            readings.durations[given_up] = elapsed
            readings.failures[given_up] = self._timed_out(declarations[given_up], timeout, elapsed)
            pending = pending[position + 1 :]
            if not pending:
                return readings

    def _read_batch(self, batch: _Batch) -> None:
        """Read the batch's declarations in order, each unless another call of it is under way."""
        # Reads in place (no time limit) read memory: they neither wait for another call of a
        # variable nor make one wait, so an event loop reading them never blocks on a thread.
        calls = self._calls if batch.timeout is not None else {}
        read, max_bytes = batch.read, batch.max_bytes
        started = time.monotonic()  # a read starts when the one before it ends
        for position, declaration in enumerate(read.declarations):
            if batch.stop:
                return
            batch.started = started
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
                value = declaration.read()
                if isinstance(value, CoroutineType):
                    value = asyncio.run(value)
                read.values[position], read.texts[position] = encode(value, max_bytes)
            except BaseException as exc:  # a variable may not take the reader down, even exit()
                ended = time.monotonic()
                # The failure before the duration: a waiter takes a duration as the reading's end.
                read.failures[position] = self._failure(declaration, exc, ended - started)
            else:
                ended = time.monotonic()
                if declaration.cache_ttl:  # kept as published: a NaN is kept as its null
                    value, text = read.values[position], read.texts[position]
                    self._keep(declaration, value, text, ended - started, ended)
            finally:
                del calls[declaration]  # this map, not self._calls: after a fork that is new
            read.durations[position] = ended - started
            started = ended
            if batch.waiters:
                with self._lock:
                    for waiter in batch.waiters.pop(position, ()):
                        waiter.set()

    def _wait_for(self, call: tuple[_Batch, int, float], into: Readings, position: int) -> None:
        """Take another batch's reading of the same variable, waiting for it if need be."""
        batch, at, started = call
        remaining = started + (batch.timeout or 0.0) - time.monotonic()
        if remaining > 0:
            # Registered under the lock, then checked: the batch writes, then looks for waiters.
            done = threading.Event()
            with self._lock:
                batch.waiters.setdefault(at, []).append(done)
            if batch.read.durations[at] is None:
                done.wait(remaining)
        if batch.read.durations[at] is None:
            into.failures[position] = _still_running(into.declarations[position], started)
            into.durations[position] = time.monotonic() - started
        else:
            batch.read.copy_one(at, into, position)

    async def _awaited(self, declarations: Sequence[Declaration], config: Config) -> Readings:
        """Await coroutine values on this loop, one task per variable however many ask."""
        loop, timeout = asyncio.get_running_loop(), config.timeout
        now = time.monotonic()
        readings = Readings(declarations)
        waiting: dict[int, tuple[asyncio.Task[Readings], float]] = {}
        for position, declaration in enumerate(declarations):
            if declaration.cache_ttl and self._from_cache(readings, position, declaration):
                continue
            task, started = self._tasks.get(declaration, (None, now))
            if task is None or task.get_loop() is not loop:
                reading = self._read_async(declaration, config.max_value_bytes)
                task, started = loop.create_task(reading), now
                self._tasks[declaration] = (task, started)
            waiting[position] = (task, started)
        if waiting:
            latest = max(started for _, started in waiting.values())
            longest = None if timeout is None else latest + timeout - now
            if longest is None or longest > 0:
                await asyncio.wait([task for task, _ in waiting.values()], timeout=longest)
        for position, (task, started) in waiting.items():
            if task.done():
                task.result().copy_to(readings, [position])
                continue
            running = time.monotonic() - started
            readings.durations[position] = running
            readings.failures[position] = (
                _still_running(declarations[position], started)
                if started < now
                else self._timed_out(declarations[position], timeout or 0.0, running)
            )
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
            one.failures[0] = self._failure(declaration, exc, time.monotonic() - started)
        finally:
            self._tasks.pop(declaration, None)
        ended = time.monotonic()
        one.durations[0] = ended - started
        if declaration.cache_ttl and not one.failures:
            self._keep(declaration, one.values[0], one.texts[0], ended - started, ended)
        return one

    def _keep(
        self, declaration: Declaration, value: Any, text: str | None, took: float, now: float
    ) -> None:
        """Keep a value just read for its declaration's ``cache_ttl``."""
        self._cache[declaration] = (now + (declaration.cache_ttl or 0.0), value, text, took)

    def _from_cache(self, into: Readings, position: int, declaration: Declaration) -> bool:
        """Fill in a value kept for its ``cache_ttl``, if there is one still good."""
        entry = self._cache.get(declaration)
        if entry is None or entry[0] <= time.monotonic():
            return False
        _, into.values[position], into.texts[position], into.durations[position] = entry
        into.cached.add(position)
        return True

    def _failure(self, declaration: Declaration, exc: BaseException, took: float) -> VariableReport:
        if isinstance(exc, EncodingError):  # says all there is: no type name, no traceback
            return self._log(VariableReport(declaration, ERROR, error=str(exc), duration=took))
        report = VariableReport(
            declaration, ERROR, error=describe(exc), exception=exc, duration=took
        )
        return self._log(report)

    def _timed_out(self, declaration: Declaration, timeout: float, took: float) -> VariableReport:
        error = f"value() did not return within EXPVAR_TIMEOUT ({timeout:g}s)"
        return self._log(VariableReport(declaration, TIMEOUT, error=error, duration=took))

    def _log(self, report: VariableReport) -> VariableReport:
        # One line per variable and message every few minutes: a monitor polls every second.
        declaration, message = report.declaration, report.error or ""
        now = time.monotonic()
        last = self._logged.get(declaration)
        if last is not None and last[0] == message and now - last[1] < LOG_REPEAT_SECONDS:
            return report
        self._logged[declaration] = (message, now)
        trace = report.traceback
        logger.error(
            "expvar: variable %r from %s failed: %s%s",
            declaration.name,
            declaration.origin,
            message,
            f"\n{trace}" if trace else "",
        )
        return report


def _still_running(declaration: Declaration, started: float) -> VariableReport:
    running = time.monotonic() - started
    error = (
        f"still running: value() was called {running:.1f}s ago and has not returned; "
        "it is skipped until it does"
    )
    return VariableReport(declaration, TIMEOUT, error=error, duration=running)


def _joined(declarations: Sequence[Declaration], parts: Parts) -> Readings:
    """Put the readings of parts of ``declarations`` together, each at its positions."""
    parts = [(positions, part) for positions, part in parts if positions]
    if len(parts) == 1 and len(parts[0][0]) == len(declarations):
        return parts[0][1]  # the usual case: one part holds them all, in order
    readings = Readings(declarations)
    for positions, part in parts:
        part.copy_to(readings, positions)
    return readings


evaluator = Evaluator()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=evaluator.after_fork)
