"""The store push variables use now, chosen by ``EXPVAR_STORE`` and rebuilt when it changes.

Nothing here touches Django until the first update, so ``import expvar`` needs no settings.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing.util
import os
import threading
from typing import TYPE_CHECKING, Any, TypeAlias

from expvar.push.health import StoreStatus, StoreUnavailable
from expvar.push.stores.local import LocalStore

if TYPE_CHECKING:
    from expvar.push.stores.cache import CacheStore

__all__ = ["Store", "StoreStatus", "StoreUnavailable", "current", "flush", "reset"]

logger = logging.getLogger("expvar")

Store: TypeAlias = "LocalStore | CacheStore"

# One local store for the life of the process, so counts survive a settings change in tests.
_local = LocalStore()
_current: Store | None = None
_lock = threading.Lock()


def current() -> Store:
    """Return the store push variables read and write."""
    return _current or _build()


def flush() -> bool:
    """Write this process's pending updates now; True when none are left."""
    return current().flush()


def reset() -> None:
    """Close the current store (writing what is pending) so the next use builds it again."""
    global _current
    with _lock:
        store, _current = _current, None
    if store is not None:
        store.close()


def _build() -> Store:
    global _current
    from django.conf import settings

    if not settings.configured:
        return _local  # a script that never configures Django still counts, in this process
    from django.core.signals import setting_changed

    from expvar.conf import get_config

    setting_changed.connect(_setting_changed, dispatch_uid="expvar.push.stores")
    with _lock:
        if _current is None:
            config = get_config().store
            if config.issues:
                logger.error(
                    "expvar: EXPVAR_STORE is invalid (%s); push variables count in this process "
                    "only. Run `manage.py check` for how to fix it.",
                    "; ".join(issue.message for issue in config.issues),
                )
            _current = _local
            if config.bound is not None:
                from expvar.push.stores.cache import CacheStore

                _current = CacheStore(config)
        return _current


def _setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("EXPVAR_STORE", "CACHES"):
        reset()


def _flush_at_multiprocessing_exit(_: object = None) -> None:
    # A child multiprocessing forks ends in os._exit, past atexit; it runs its own exit
    # finalizers first, and a forked child starts with none, so each one registers again.
    multiprocessing.util.Finalize(None, reset, exitpriority=100)


# Forks (gunicorn --preload, Celery's prefork pool) copy this process with only the forking
# thread: each store's lock is held across the fork so the child gets its state whole.
_held: list[threading.Lock] = []


def _stores() -> list[Store]:
    return [_local] if _current is None or _current is _local else [_local, _current]


def _before_fork() -> None:
    for store in _stores():
        lock, wait = store.fork_lock()
        if lock.acquire(timeout=wait):  # past the wait, fork anyway
            _held.append(lock)


def _after_fork_parent() -> None:
    while _held:
        _held.pop().release()


def _after_fork() -> None:
    global _lock
    _lock = threading.Lock()
    _held.clear()  # the child's copies are replaced: they are held, with no owner
    for store in _stores():
        store.after_fork()


atexit.register(reset)
_flush_at_multiprocessing_exit()
# The registry holds its objects weakly: the local store lives as long as the process.
multiprocessing.util.register_after_fork(_local, _flush_at_multiprocessing_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork_parent, after_in_child=_after_fork
    )
