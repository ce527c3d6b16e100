"""Cells in a Django cache alias that every process shares (Redis).

Every update is one of the backend's atomic operations: ``incr`` (with ``add`` to create a cell),
``set`` or ``delete``; nothing is read, changed and written back. Updates are recorded in a
``Buffer`` and written by a background thread every FLUSH_INTERVAL seconds and at exit, so no
request waits for the server. The store's own backend instance bounds every socket operation by
TIMEOUT, so the alias's other users keep their own options.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from django.conf import settings as django_settings
from django.core.cache.backends.base import BaseCache
from django.utils.module_loading import import_string

from expvar.process import this_process
from expvar.push import heartbeat
from expvar.push.buffer import ADD, DELETE, SET, Buffer, Entry, Op
from expvar.push.config import StoreConfig
from expvar.push.health import Health, StoreStatus, StoreUnavailable, is_transport_error
from expvar.push.heartbeat import ProcessRecord
from expvar.push.keys import entry_key, parse_entry_id
from expvar.push.variables import Var
from expvar.registry import get_registry

logger = logging.getLogger("expvar")

T = TypeVar("T")

# How long a process trusts that a map key it wrote is listed, before it checks again (another
# process may have deleted the key in the meantime).
RELIST_AFTER = 60.0
# How long one fetch of every scalar push variable serves later reads (see docs/push.md).
SNAPSHOT_SECONDS = 0.25
DROPPED_LOG_EVERY = 300.0
_GET_MANY_CHUNK = 1000


class Ticker:
    """A daemon thread that calls ``func`` now and then every ``period`` seconds."""

    def __init__(self, name: str, period: float, func: Callable[[], object]) -> None:
        self._func = func
        self._period = period
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
            self._stop.wait(self._period)


class CacheStore:
    kind = "cache"
    in_memory = False

    def __init__(self, config: StoreConfig) -> None:
        assert config.cache is not None
        self.config = config
        self.backend_path = config.cache.path
        self._prefix = config.key_prefix + ":"
        params = dict(django_settings.CACHES[config.alias])
        params.pop("BACKEND", None)
        self._location = params.pop("LOCATION", "")
        params["OPTIONS"] = config.cache.bound(dict(params.get("OPTIONS") or {}), config.timeout)
        self._params = params
        self._ttl = heartbeat.ttl_for(config.heartbeat) if config.heartbeat else 0
        self._reset_process_state()

    def _reset_process_state(self) -> None:
        # Everything a forked child must not share with its parent: locks the parent may have
        # held while forking, its buffer, its threads and connections, its heartbeat slot.
        name = self.backend_path.rsplit(".", 1)[-1]
        self._health = Health(f"the expvar store (cache alias {self.config.alias!r}, {name})")
        self._buffer = Buffer(self.config.max_pending)
        self._flush_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._tick_lock = threading.Lock()
        self._forking = False
        self._cache: BaseCache | None = None
        self._ticker: Ticker | None = None
        self._closed = False
        self._listed: dict[Entry, float] = {}
        # (cells fetched, their values, the flush count then, when): see read_scalar().
        self._snapshot: tuple[frozenset[str], dict[str, Any], int, float] = (frozenset(), {}, 0, 0)
        self._flushes = 0
        self._slot: int | None = None
        self._next_flush = self._next_beat = 0.0
        self._next_dropped_log = float("-inf")

    def add(self, cell: str, delta: int, entry: Entry | None = None) -> None:
        self._recorded(self._buffer.add(cell, delta, entry))

    def add_many(self, updates: Sequence[tuple[str, int, Entry | None]]) -> None:
        self._recorded(self._buffer.add_many(updates))

    def set(
        self, cell: str, value: int | str, entry: Entry | None = None, clear: Sequence[str] = ()
    ) -> None:
        ops = [*((other, (DELETE, None)) for other in clear), (cell, (SET, value))]
        self._recorded(self._buffer.record(ops, entry))

    def remove(self, cells: Sequence[str], entry: Entry) -> None:
        self._recorded(self._buffer.record([(c, (DELETE, None)) for c in cells], entry, False))

    def _recorded(self, kept: bool) -> None:
        if not kept and time.monotonic() >= self._next_dropped_log:
            self._next_dropped_log = time.monotonic() + DROPPED_LOG_EVERY
            logger.error(
                "expvar: %d update(s) dropped: this process already keeps MAX_PENDING=%d "
                "different cells for the shared store.",
                self._buffer.dropped,
                self.config.max_pending,
            )
        self.serving()

    def flush(self, *, force: bool = False) -> bool:
        """Write pending updates; True when none are left. ``force`` ignores the back-off."""
        with self._flush_lock:
            if not force and not self._health.may_try():
                return not self._buffer
            ops, marks = self._buffer.take()
            if not ops and not marks:
                return True
            self._flushes += 1  # what the store holds changes: snapshots taken before are stale
            try:
                backend = self._backend()
                for cell, op in list(ops.items()):
                    self._guarded(cell, self._apply, backend, cell, op)
                    del ops[cell]
                for (index, entry), listed in list(marks.items()):
                    self._guarded(index, self._mark, backend, index, entry, listed)
                    del marks[index, entry]
            except Exception as exc:
                # What was not written goes back, beneath anything recorded since.
                self._buffer.restore(ops, marks)
                self._health.failed(exc, len(self._buffer))
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
        if kind == ADD and value:
            assert isinstance(value, int)
            self._incr(backend, key, value)
        elif kind == ADD:
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
        path = parse_entry_id(entry)
        assert path is not None  # Map writes its entries from valid keys
        claim = f"{self._prefix}mc:{index}:{entry_key(path)}"
        if not listed:
            slot = backend.get(claim)
            slots = [self._slot_key(index, slot)] if isinstance(slot, int) else []
            backend.delete_many([claim, *slots])
            self._listed.pop((index, entry), None)
            return
        now = time.monotonic()
        if self._listed.get((index, entry), 0.0) > now:
            return
        if backend.get(claim) is None:
            # Slot first, claim second: a crash in between leaves the key listed twice (reads
            # drop duplicates), never unlisted.
            slot = self._incr(backend, f"{self._prefix}mx:{index}:n", 1)
            backend.set(self._slot_key(index, slot), entry, None)
            if not backend.add(claim, slot, None):
                backend.delete(self._slot_key(index, slot))  # another process listed it first
        self._listed[index, entry] = now + RELIST_AFTER

    def _slot_key(self, index: str, slot: int) -> str:
        return f"{self._prefix}mx:{index}:{slot}"

    def get_many(self, cells: Sequence[str]) -> dict[str, int | str]:
        with self._no_flush():
            return self._buffer.on_top(self._fetch(cells), cells)

    def read_scalar(self, cell: str) -> int | str | None:
        # A poll reads every scalar push variable in turn: the first read fetches them all in
        # one round trip, and the others within SNAPSHOT_SECONDS take theirs from it.
        with self._no_flush():
            fetched, values, flushes, taken = self._snapshot
            if (
                cell not in fetched
                or flushes != self._flushes
                or not self._health.healthy
                or time.monotonic() - taken > SNAPSHOT_SECONDS
            ):
                pushed = get_registry().pushed
                wanted = {cell, *(v.cell for v in pushed if isinstance(v, Var) and v.cell)}
                values = self._fetch(list(wanted))
                self._snapshot = (frozenset(wanted), values, self._flushes, time.monotonic())
            return self._buffer.applied(cell, values.get(cell))

    def entries(self, index: str) -> list[str]:
        def read(backend: BaseCache) -> list[str]:
            count = backend.get(f"{self._prefix}mx:{index}:n")
            slots = range(1, count + 1) if isinstance(count, int) else ()
            found = _get_many(backend, [self._slot_key(index, slot) for slot in slots])
            return [value for value in found.values() if isinstance(value, str)]

        with self._no_flush():
            return self._buffer.listed(index, self._read(read))

    def _fetch(self, cells: Sequence[str]) -> dict[str, Any]:
        prefix = self._prefix
        raw = self._read(lambda backend: _get_many(backend, [prefix + cell for cell in cells]))
        return {key[len(prefix) :]: value for key, value in raw.items()}

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
        if self._health.may_try():
            try:
                result = func(self._backend())
            except Exception as exc:
                if not is_transport_error(exc):
                    raise
                self._health.failed(exc, len(self._buffer))
            else:
                self._health.succeeded(len(self._buffer))
                return result
        raise StoreUnavailable(
            f"the shared store (cache alias {self.config.alias!r}) is unavailable: "
            f"{self._health.last_error}; next try in {self._health.retry_in():.1f}s"
        )

    def _backend(self) -> BaseCache:
        # One instance serves every thread: the Redis clients pool their connections.
        with self._start_lock:
            if self._cache is None:
                self._cache = import_string(self.backend_path)(self._location, self._params)
            return self._cache

    def serving(self) -> None:
        if self._ticker is not None:  # checked without the lock: this runs on every update
            return
        with self._start_lock:
            if self._ticker is not None or self._closed:
                return
            interval = self.config.flush_interval
            self._next_flush = time.monotonic() + interval
            period = min(interval, self.config.heartbeat or interval)
            self._ticker = Ticker("expvar-push", period, self._tick)
            self._ticker.start()

    def _tick(self) -> None:
        # Held while ticking, and by before_fork: a fork never copies this thread half-way
        # through an import or a network call, whose locks the child could then never take.
        with self._tick_lock:
            now = time.monotonic()
            if now >= self._next_flush:
                self._next_flush = now + self.config.flush_interval
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
        config, health = self.config, self._health
        return StoreStatus(
            backend=self.kind,
            description=(
                f"cache alias {config.alias!r} ({self.backend_path}), "
                f"key prefix {config.key_prefix!r}"
            ),
            healthy=health.healthy,
            down_since=health.down_since,
            last_error=health.last_error,
            retry_in=health.retry_in(),
            pending=len(self._buffer),
            dropped=self._buffer.dropped,
            flush_interval=config.flush_interval,
        )

    def close(self) -> None:
        with self._start_lock:
            self._closed = True
            ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.stop(timeout=self.config.timeout * 4)
        # One last try even during a back-off: the process (or this store) is going away.
        if not self.flush(force=True):
            logger.error(
                "expvar: %d pending update(s) could not be written to the shared store "
                "before closing it, and are lost.",
                len(self._buffer),
            )
        slot, self._slot = self._slot, None
        try:
            if slot is not None:
                heartbeat.release(self._backend(), self._prefix, this_process(), slot)
        except Exception:  # the slot's TTL frees it anyway
            logger.debug("expvar: could not free the heartbeat slot", exc_info=True)
        with self._start_lock:
            cache, self._cache = self._cache, None
        try:
            if cache is not None:
                _disconnect(cache)
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


def _disconnect(cache: BaseCache) -> None:
    cache.close()
    # Django's RedisCache keeps its connection pools open for the life of the process, and the
    # store's own instance is dropped when the store is replaced.
    for pool in list(getattr(getattr(cache, "_cache", None), "_pools", {}).values()):
        pool.disconnect()


def _get_many(backend: BaseCache, keys: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for start in range(0, len(keys), _GET_MANY_CHUNK):
        found.update(backend.get_many(keys[start : start + _GET_MANY_CHUNK]))
    return found
