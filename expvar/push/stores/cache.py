"""Cells in a Django cache alias that every process shares (Redis).

Every update is one of the backend's atomic operations: ``incr`` (with ``add`` to create a cell),
``set`` or ``delete``; nothing is read, changed and written back. Updates go through a ``Buffer``
and are written by ``flush()``: at once by the caller when FLUSH_INTERVAL is 0, else by a
background thread every FLUSH_INTERVAL seconds and at exit. The store builds its own backend
instance from the alias's settings, with every socket operation bounded by TIMEOUT, so the
alias's other users keep their own options.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings as django_settings
from django.core.cache.backends.base import BaseCache
from django.utils.module_loading import import_string

from expvar.process import this_process
from expvar.push import heartbeat
from expvar.push.buffer import ADD, DELETE, SET, Buffer, Entry, Op
from expvar.push.config import Backend, StoreConfig
from expvar.push.health import Health, is_transport_error
from expvar.push.keys import entry_key, parse_entry_id, token
from expvar.push.stores.base import ProcessRecord, StoreStatus, StoreUnavailable
from expvar.push.variables import Var
from expvar.registry import get_registry

logger = logging.getLogger("expvar")

T = TypeVar("T")

# How long a process trusts that a map key it wrote is listed, before it checks again (another
# process may have deleted the key in the meantime).
RELIST_AFTER = 60.0
# Retry cadence for a write-through store (FLUSH_INTERVAL 0) whose updates had to be kept.
RETRY_PERIOD = 1.0
# How long a write-through store that could not take a thread's updates within TIMEOUT is
# written by the background retry alone.
SLOW_PAUSE = 5.0
_GET_MANY_CHUNK = 1000
# How long one fetch of every scalar push variable serves later reads (see docs/push.md).
SNAPSHOT_SECONDS = 0.25


@dataclass(frozen=True)
class _Snapshot:
    fetched: frozenset[str]
    values: dict[str, Any]
    flushes: int
    taken: float


class Ticker:
    """A daemon thread that calls ``func`` now and then every ``period`` seconds."""

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


class CacheStore:
    kind = "cache"
    in_memory = False

    def __init__(self, config: StoreConfig, backend: Backend) -> None:
        self.config = config
        self.backend_path = backend.path
        self._disconnect_backend = backend.disconnect
        self._prefix = config.key_prefix + ":"
        params = dict(django_settings.CACHES[config.alias])
        params.pop("BACKEND", None)
        self._location = params.pop("LOCATION", "")
        params["OPTIONS"] = backend.bound(dict(params.get("OPTIONS") or {}), config.timeout)
        self._params = params
        self._label = (
            f"the expvar store (cache alias {config.alias!r}, {backend.path.rsplit('.', 1)[-1]})"
        )
        self._ttl = heartbeat.ttl_for(config.heartbeat) if config.heartbeat else 0
        self._flush_period = config.flush_interval or RETRY_PERIOD
        self._reset_process_state()

    def _reset_process_state(self) -> None:
        # Everything a forked child must not share with its parent: locks the parent may have
        # held while forking, its buffer, its threads and connections, its heartbeat slot.
        self._health = Health(self._label)
        self._tick_lock = threading.Lock()
        self._forking = False
        self._cache: BaseCache | None = None
        self._buffer = Buffer(self.config.max_pending)
        self._flush_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._listed: dict[Entry, float] = {}
        self._snapshot: _Snapshot | None = None
        self._flushes = 0
        self._ticker: Ticker | None = None
        self._slot: int | None = None
        self._next_flush = 0.0
        self._next_beat = 0.0
        self._slow_until = 0.0
        self._dropped_logged = 0.0
        self._closed = False

    # -- updates: recorded in the buffer, written by flush() --------------------------------

    def add(self, cell: str, delta: int, entry: Entry | None = None) -> None:
        self._written(self._buffer.add(cell, delta, entry))

    def add_many(self, updates: Sequence[tuple[str, int, Entry | None]]) -> None:
        self._written(self._buffer.add_many(updates))

    def set(
        self, cell: str, value: int | str, entry: Entry | None = None, clear: Sequence[str] = ()
    ) -> None:
        ops: list[tuple[str, Op]] = [(other, (DELETE, None)) for other in clear]
        ops.append((cell, (SET, value)))
        self._written(self._buffer.record(ops, entry, True))

    def remove(self, cells: Sequence[str], entry: Entry | None = None) -> None:
        self._written(self._buffer.record([(cell, (DELETE, None)) for cell in cells], entry, False))

    def _written(self, kept: bool) -> None:
        if not kept:
            now = time.monotonic()
            if now - self._dropped_logged >= 300.0:
                self._dropped_logged = now
                logger.error(
                    "expvar: %d update(s) dropped: this process already keeps MAX_PENDING=%d "
                    "different cells for the shared store.",
                    self._buffer.dropped,
                    self.config.max_pending,
                )
        self.serving()
        if self.config.flush_interval == 0:
            self._write_now()

    def _write_now(self) -> None:
        # Whichever thread holds the flush lock writes every thread's updates; a thread that
        # finds it held leaves its updates to that one instead of queueing behind its network
        # calls. The holder looks again after letting go, so an update recorded meanwhile is
        # not left behind. A store too slow to take the updates within TIMEOUT is left to the
        # background retry for a while, as a store that is down is: a request pays for a slow
        # store at most once per SLOW_PAUSE, and then about TIMEOUT.
        if time.monotonic() < self._slow_until:
            return
        deadline = time.monotonic() + self.config.timeout
        while self._buffer and self._health.may_try():
            if time.monotonic() >= deadline:
                self._slow_until = time.monotonic() + SLOW_PAUSE
                return
            if not self._flush_lock.acquire(blocking=False):
                return
            try:
                self._flush_locked(force=False, deadline=deadline)
            finally:
                self._flush_lock.release()

    def flush(self, *, force: bool = False) -> bool:
        """Write pending updates; ``force`` tries even during a back-off (at exit)."""
        if not force and not self._health.may_try():
            return not self._buffer
        with self._flush_lock:
            return self._flush_locked(force=force, deadline=None)

    def _flush_locked(self, *, force: bool, deadline: float | None) -> bool:
        if not force and not self._health.may_try():
            return not self._buffer
        ops, marks = self._buffer.take()
        if not ops and not marks:
            return True
        self._flushes += 1  # what the store holds changes: snapshots taken before are stale
        failure = None
        try:
            backend = self._backend()
            for cell, op in list(ops.items()):
                if deadline is not None and time.monotonic() >= deadline:
                    break
                self._guarded(cell, self._apply, backend, cell, op)
                del ops[cell]
            for (index, entry), listed in list(marks.items()):
                if deadline is not None and time.monotonic() >= deadline:
                    break
                self._guarded(index, self._mark, backend, index, entry, listed)
                del marks[index, entry]
        except Exception as exc:
            failure = exc
        # What was not written (the server failed, or time ran out) goes back, beneath anything
        # recorded since.
        self._buffer.restore(ops, marks)
        if failure is not None:
            self._health.failed(failure, len(self._buffer))
            return False
        self._health.succeeded(len(self._buffer))
        return not self._buffer

    def _guarded(self, what: str, func: Callable[..., object], *args: Any) -> None:
        # An error that is not about reaching the server (say, an integer overflow in Redis)
        # concerns this one update: it is dropped and logged, and the others go on.
        try:
            func(*args)
        except Exception as exc:
            if is_transport_error(exc):
                raise
            self._buffer.dropped += 1
            logger.error("expvar: dropped an update of %s%s: %s", self._prefix, what, exc)

    def _apply(self, backend: BaseCache, cell: str, op: Op) -> None:
        kind, value = op
        key = self._prefix + cell
        if kind == ADD:
            assert isinstance(value, int)
            if value:
                self._incr(backend, key, value)
            else:
                backend.add(key, 0, None)  # an add of 0 still creates the cell
        elif kind == SET:
            backend.set(key, value, None)
        else:
            backend.delete(key)

    def _incr(self, backend: BaseCache, key: str, delta: int) -> int:
        try:
            return int(backend.incr(key, delta))
        except ValueError:  # no such key yet: create it, unless another process just did
            if backend.add(key, delta, None):
                return delta
            return int(backend.incr(key, delta))

    def _mark(self, backend: BaseCache, index: str, entry: str, listed: bool) -> None:
        # A map lists its keys in numbered slots, handed out by a counter; a claim per key,
        # taken with add() so that one process lists it, holds the key's slot number.
        mark = (index, entry)
        path = parse_entry_id(entry)
        claim = f"{self._prefix}mc:{index}:{entry_key(path) if path else token(entry)}"
        if not listed:
            slot = _int_or_none(backend.get(claim))
            backend.delete_many([claim] + ([self._slot_key(index, slot)] if slot else []))
            self._listed.pop(mark, None)
            return
        now = time.monotonic()
        if self._listed.get(mark, 0.0) > now:
            return
        if backend.get(claim) is None:
            # Slot first, claim second: a crash in between leaves the key listed twice (reads
            # drop duplicates), never unlisted.
            slot = self._incr(backend, f"{self._prefix}mx:{index}:n", 1)
            backend.set(self._slot_key(index, slot), entry, None)
            if not backend.add(claim, slot, None):
                backend.delete(self._slot_key(index, slot))  # another process listed it first
        self._listed[mark] = now + RELIST_AFTER

    def _slot_key(self, index: str, slot: int) -> str:
        return f"{self._prefix}mx:{index}:{slot}"

    # -- reads: the store's value with this process's pending updates on top ----------------

    def get_many(self, cells: Sequence[str]) -> dict[str, int | str]:
        with self._no_flush():
            return self._buffer.on_top(self._fetch(cells), cells)

    def read_scalar(self, cell: str) -> int | str | None:
        # A poll reads every scalar push variable in turn: the first read fetches them all in
        # one round trip, and the others within SNAPSHOT_SECONDS take theirs from it. The lock
        # is _no_flush()'s, taken without its generator: this runs once per variable per poll,
        # and with the generator and on_top() a 100-variable scrape took 1.1 ms, not 0.8.
        locked = self._flush_lock.acquire(timeout=self.config.timeout)
        try:
            snapshot = self._snapshot
            if (
                snapshot is None
                or cell not in snapshot.fetched
                or snapshot.flushes != self._flushes
                or not self._health.healthy
                or time.monotonic() - snapshot.taken > SNAPSHOT_SECONDS
            ):
                pushed = get_registry().pushed
                wanted = {cell, *(v.cell for v in pushed if isinstance(v, Var) and v.cell)}
                fetched = self._fetch(list(wanted))
                snapshot = _Snapshot(frozenset(wanted), fetched, self._flushes, time.monotonic())
                self._snapshot = snapshot
            return self._buffer.applied(cell, snapshot.values.get(cell))
        finally:
            if locked:
                self._flush_lock.release()

    def _fetch(self, cells: Sequence[str]) -> dict[str, Any]:
        """Read ``cells`` from the store, keyed by cell; absent ones left out."""
        prefix = self._prefix
        raw = self._read(lambda backend: _get_many(backend, [prefix + cell for cell in cells]))
        return {key[len(prefix) :]: value for key, value in raw.items()}

    def entries(self, index: str) -> list[str]:
        def read(backend: BaseCache) -> list[str]:
            count = _int_or_none(backend.get(f"{self._prefix}mx:{index}:n")) or 0
            keys = [self._slot_key(index, slot) for slot in range(1, count + 1)]
            return [value for value in _get_many(backend, keys).values() if isinstance(value, str)]

        with self._no_flush():
            return self._buffer.listed(index, self._read(read))

    @contextmanager
    def _no_flush(self) -> Iterator[None]:
        # Updates being flushed are in neither the buffer nor (yet) the store, so a read waits
        # for the flush (up to TIMEOUT): a process always reads back its own updates.
        locked = self._flush_lock.acquire(timeout=self.config.timeout)
        try:
            yield
        finally:
            if locked:
                self._flush_lock.release()

    def _read(self, func: Callable[[BaseCache], T]) -> T:
        if not self._health.may_try():
            raise StoreUnavailable(self._unavailable())
        try:
            result = func(self._backend())
        except Exception as exc:
            if not is_transport_error(exc):
                raise
            self._health.failed(exc, len(self._buffer))
            raise StoreUnavailable(self._unavailable()) from exc
        self._health.succeeded(len(self._buffer))
        return result

    def _unavailable(self) -> str:
        return (
            f"the shared store (cache alias {self.config.alias!r}) is unavailable: "
            f"{self._health.last_error}; next try in {self._health.retry_in():.1f}s"
        )

    def _backend(self) -> BaseCache:
        # One instance serves every thread: the Redis clients pool their connections.
        with self._start_lock:
            if self._cache is None:
                self._cache = import_string(self.backend_path)(self._location, self._params)
            return self._cache

    # -- background work, heartbeat, status -------------------------------------------------

    def serving(self) -> None:
        if self._ticker is not None:  # checked without the lock: this runs on every update
            return
        with self._start_lock:
            if self._ticker is not None or self._closed:
                return
            period = min(self._flush_period, self.config.heartbeat or self._flush_period)
            self._next_flush = time.monotonic() + self._flush_period
            self._ticker = Ticker("expvar-push", period, self._tick)
            self._ticker.start()

    def _tick(self) -> None:
        # Held while ticking, and by before_fork: a fork never copies this thread half-way
        # through an import or a network call, whose locks the child could then never take.
        with self._tick_lock:
            now = time.monotonic()
            if now >= self._next_flush:
                self._next_flush = now + self._flush_period
                if self._buffer:
                    self.flush()
            if self._ttl and now >= self._next_beat and self._health.may_try():
                self._next_beat = now + self.config.heartbeat
                self.beat()

    def beat(self) -> None:
        """Publish this process's heartbeat now."""
        with suppress(StoreUnavailable):
            self._slot = self._read(
                lambda backend: heartbeat.beat(
                    backend, self._prefix, this_process(), len(self._buffer), self._slot, self._ttl
                )
            )

    def processes(self) -> list[ProcessRecord]:
        if not self._ttl:
            return []
        return self._read(lambda backend: heartbeat.alive(backend, self._prefix, self._ttl))

    def status(self) -> StoreStatus:
        health = self._health
        return StoreStatus(
            backend=self.kind,
            description=(
                f"cache alias {self.config.alias!r} ({self.backend_path}), "
                f"key prefix {self.config.key_prefix!r}"
            ),
            healthy=health.healthy,
            down_since=health.down_since,
            last_error=health.last_error,
            retry_in=health.retry_in(),
            pending=len(self._buffer),
            dropped=self._buffer.dropped,
            flush_interval=self.config.flush_interval,
        )

    def close(self) -> None:
        with self._start_lock:
            self._closed = True
            ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.stop(timeout=self.config.timeout * 4)
        # One last try even during a back-off: the process (or this store) is going away.
        if self._buffer and not self.flush(force=True):
            logger.error(
                "expvar: %d pending update(s) could not be written to the shared store "
                "before closing it, and are lost.",
                len(self._buffer),
            )
        if self._slot is not None:
            slot, self._slot = self._slot, None
            try:
                heartbeat.release(self._backend(), self._prefix, this_process(), slot)
            except Exception:  # the slot's TTL frees it anyway
                logger.debug("expvar: could not free the heartbeat slot", exc_info=True)
        with self._start_lock:
            cache, self._cache = self._cache, None
        if cache is not None:
            try:
                self._disconnect_backend(cache)
            except Exception:  # closing is best effort: the process may be on its way out
                logger.debug("expvar: could not close a cache connection", exc_info=True)

    def before_fork(self) -> None:
        # Bounded: a tick's calls are bounded by TIMEOUT; past that, fork anyway.
        self._forking = self._tick_lock.acquire(timeout=self.config.timeout * 10 + 1)

    def after_fork_parent(self) -> None:
        if self._forking:
            self._forking = False
            self._tick_lock.release()

    def after_fork(self) -> None:
        # The parent's pending updates are the parent's to write; its threads did not fork.
        self._reset_process_state()


def _get_many(backend: BaseCache, keys: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for start in range(0, len(keys), _GET_MANY_CHUNK):
        found.update(backend.get_many(keys[start : start + _GET_MANY_CHUNK]))
    return found


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) else None
