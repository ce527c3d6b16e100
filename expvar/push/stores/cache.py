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
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from typing import Any, TypeVar

from django.conf import settings as django_settings
from django.core.cache.backends.base import BaseCache
from django.utils.module_loading import import_string

from expvar.process import this_process
from expvar.push.buffer import ADD, DELETE, SET, Buffer, Entry, Op
from expvar.push.cluster import Heartbeat, ProcessRecord
from expvar.push.config import StoreConfig
from expvar.push.health import Health, StoreStatus, StoreUnavailable, is_transport_error
from expvar.push.keys import entry_key, parse_entry_id
from expvar.push.variables import Scalar
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


class CacheStore:
    kind = "cache"
    in_memory = False

    def __init__(self, config: StoreConfig) -> None:
        assert config.bound is not None
        self.config = config
        self._prefix = config.key_prefix + ":"
        params = dict(django_settings.CACHES[config.alias])
        self.backend_path = str(params.pop("BACKEND"))
        self._location = params.pop("LOCATION", "")
        params["OPTIONS"] = config.bound(dict(params.get("OPTIONS") or {}), config.timeout)
        self._params = params
        self._reset_process_state()

    def _reset_process_state(self) -> None:
        # Everything a forked child must not share with its parent: locks the parent may have
        # held while forking, its buffer, its threads and connections, its heartbeat slot.
        name = self.backend_path.rsplit(".", 1)[-1]
        self._health = Health(f"the expvar store (cache alias {self.config.alias!r}, {name})")
        self._buffer = Buffer(self.config.max_pending)
        self._flush_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._cache: BaseCache | None = None
        # The thread that flushes and beats, started by the first update or request; set
        # _stop ends it for good.
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._listed: dict[Entry, float] = {}
        # (cells fetched, their values, when): see read_scalar().
        self._snapshot: tuple[frozenset[str], dict[str, Any], float] = (frozenset(), {}, 0.0)
        beats = self.config.heartbeat
        self._heartbeat = Heartbeat(self._prefix, beats) if beats else None
        self._next_dropped_log = float("-inf")
        self._start_after = 0.0  # while threads cannot start, when to try again

    def add(self, updates: Iterable[tuple[str, int, Entry | None]]) -> None:
        self._recorded(self._buffer.add(updates))

    def set(
        self, cell: str, value: int | str, entry: Entry | None = None, clear: Sequence[str] = ()
    ) -> None:
        self._recorded(self._buffer.set(cell, value, entry, clear))

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
            # What the store holds changes: a snapshot taken before is stale.
            self._snapshot = (frozenset(), {}, 0.0)
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
            backend.add(key, 0, None)  # an add of 0 still creates the cell, in one call
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
        if path is None:  # Map writes its entries from valid keys: a bug, dropped and logged
            raise ValueError(f"not a map entry: {entry!r}")
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
        return self._read(lambda backend: self._buffer.on_top(self._fetch(backend, cells), cells))

    def read_scalar(self, cell: str) -> int | str | None:
        # A poll reads every scalar push variable in turn: the first read fetches them all in
        # one round trip, and the others within SNAPSHOT_SECONDS take theirs from it.
        def read(backend: BaseCache) -> int | str | None:
            fetched, values, taken = self._snapshot
            if (
                cell not in fetched
                or not self._health.healthy
                or time.monotonic() - taken > SNAPSHOT_SECONDS
            ):
                pushed = get_registry().pushed
                wanted = {cell, *(v.cell for v in pushed if isinstance(v, Scalar))}
                values = self._fetch(backend, list(wanted))
                self._snapshot = (frozenset(wanted), values, time.monotonic())
            return self._buffer.applied(cell, values.get(cell))

        return self._read(read)

    def entries(self, index: str) -> list[str]:
        def read(backend: BaseCache) -> list[str]:
            count = backend.get(f"{self._prefix}mx:{index}:n")
            slots = range(1, count + 1) if isinstance(count, int) else ()
            found = self._fetch(backend, [f"mx:{index}:{slot}" for slot in slots])
            return self._buffer.listed(index, [v for v in found.values() if isinstance(v, str)])

        return self._read(read)

    def _fetch(self, backend: BaseCache, cells: Sequence[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for start in range(0, len(cells), _GET_MANY_CHUNK):
            keys = [self._prefix + cell for cell in cells[start : start + _GET_MANY_CHUNK]]
            found.update(backend.get_many(keys))
        return {key[len(self._prefix) :]: value for key, value in found.items()}

    def _read(self, func: Callable[[BaseCache], T], *, only_locked: bool = False) -> T:
        # Updates being flushed are in neither the buffer nor (yet) the store, so a read waits
        # for the flush (up to TIMEOUT): a process always reads back its own updates.
        lock = self._flush_lock
        locked = lock.acquire(timeout=self.config.timeout)
        try:
            if only_locked and not locked:
                # The background thread calls the server under the flush lock only: a fork
                # takes that lock to find the thread between two calls (see fork_lock()).
                raise StoreUnavailable("the store is busy with a flush; this call is skipped")
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
        finally:
            if locked:
                lock.release()
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
        """Start the background thread, unless it has started or the store is closed."""
        # Checked without the lock: this runs on every update.
        if self._thread is not None or self._retry_later():
            return
        with self._start_lock:
            # Checked again: updates that waited for the lock would each try, and log, again.
            if self._thread is None and not self._stop.is_set() and not self._retry_later():
                thread = threading.Thread(target=self._run, name="expvar-push", daemon=True)
                try:
                    thread.start()  # before it is kept: close() joins only a thread that started
                except RuntimeError as exc:  # no thread to spare: an update still never raises
                    retry = max(self.config.flush_interval, 1.0)
                    self._start_after = time.monotonic() + retry
                    logger.error(
                        "expvar: the shared store's background thread cannot start (%s); "
                        "updates are kept and it is tried again in %gs",
                        exc,
                        retry,
                    )
                    return
                self._thread = thread

    def _retry_later(self) -> bool:
        return time.monotonic() < self._start_after

    def _run(self) -> None:
        interval, beats = self.config.flush_interval, self.config.heartbeat
        next_flush, next_beat = time.monotonic() + interval, 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                if now >= next_flush:
                    next_flush = now + interval
                    self.flush()
                if beats and now >= next_beat and self._health.may_try():
                    next_beat = now + beats
                    self.beat()
            except Exception:  # the thread must outlive any one bad tick
                logger.exception("expvar: a background flush or heartbeat failed")
            self._stop.wait(min(interval, beats or interval))

    def beat(self) -> None:
        """Publish this process's heartbeat now (skipped, as the TTL allows, if it cannot)."""
        heartbeat = self._heartbeat
        if heartbeat is not None:
            with suppress(StoreUnavailable):
                self._read(
                    lambda backend: heartbeat.beat(backend, this_process(), len(self._buffer)),
                    only_locked=True,
                )

    def processes(self) -> list[ProcessRecord]:
        return self._read(self._heartbeat.alive) if self._heartbeat else []

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
        """Stop the background thread, write what is pending, free the heartbeat's slot."""
        with self._start_lock:
            self._stop.set()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.config.timeout * 4)
        # One last try even during a back-off: the process (or this store) is going away.
        if not self.flush(force=True):
            logger.error(
                "expvar: %d pending update(s) could not be written to the shared store "
                "before closing it, and are lost.",
                len(self._buffer),
            )
        with self._start_lock:
            cache, self._cache = self._cache, None
        if cache is None:
            return  # the server was never reached: no slot, no connection
        try:
            if self._heartbeat is not None:
                self._heartbeat.release(cache, this_process())
        except Exception:  # the slot's TTL frees it anyway
            logger.debug("expvar: could not free the heartbeat slot", exc_info=True)
        # Django's RedisCache keeps its connection pools open for the life of the process, and
        # the store's own instance is dropped when the store is replaced: each is let go.
        pools = list(getattr(getattr(cache, "_cache", None), "_pools", {}).values())
        for close in (cache.close, *(pool.disconnect for pool in pools)):
            try:
                close()
            except Exception:  # closing is best effort: the process may be on its way out
                logger.debug("expvar: could not close a cache connection", exc_info=True)

    def fork_lock(self) -> tuple[threading.Lock, float]:
        """Return the lock to hold across a fork, and how long to wait for it."""
        # The background thread calls the server under the flush lock only: holding it, a fork
        # never copies that thread half-way through an import or a network call, whose locks
        # the child could then never take. Each call is bounded by TIMEOUT.
        return self._flush_lock, self.config.timeout * 10 + 1

    def after_fork(self) -> None:
        # The parent's pending updates are the parent's to write; its threads did not fork.
        self._reset_process_state()
