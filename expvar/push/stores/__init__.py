"""The store push variables use now, chosen by ``EXPVAR_STORE`` and rebuilt when it changes.

Nothing here touches Django until the first update, so ``import expvar`` needs no settings.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing.util
import os
import threading
from typing import Any

from expvar.push.stores.base import Store, StoreStatus, StoreUnavailable
from expvar.push.stores.local import LocalStore

__all__ = ["Store", "StoreStatus", "StoreUnavailable", "current", "flush", "reset"]

logger = logging.getLogger("expvar")

# One local store for the life of the process, so counts survive a settings change in tests.
_local = LocalStore()
_current: Store | None = None
_lock = threading.Lock()
_hooked = False


def current() -> Store:
    """Return the store push variables read and write."""
    store = _current
    if store is None:
        store = _build()
    return store


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
    from django.conf import settings as django_settings

    if not django_settings.configured:
        # A script that never configures Django still counts, in this process.
        return _local
    with _lock:
        if _current is None:
            _hook()
            _current = _make()
        return _current


def _make() -> Store:
    from expvar.conf import get_config

    config = get_config().store
    if config.issues:
        logger.error(
            "expvar: EXPVAR_STORE is invalid (%s); push variables count in this process only. "
            "Run `manage.py check` for how to fix it.",
            "; ".join(issue.message for issue in config.issues),
        )
    if config.cache is None:
        return _local
    from expvar.push.stores.cache import CacheStore

    return CacheStore(config, config.cache)


def _hook() -> None:
    global _hooked
    if _hooked:
        return
    _hooked = True
    from django.core.signals import setting_changed

    setting_changed.connect(_setting_changed, dispatch_uid="expvar.push.stores")
    atexit.register(reset)
    _flush_at_multiprocessing_exit()
    multiprocessing.util.register_after_fork(_hook_owner, _flush_at_multiprocessing_exit)


class _HookOwner:
    """What multiprocessing's after-fork registry holds on to (it keeps weak references)."""


_hook_owner = _HookOwner()


def _flush_at_multiprocessing_exit(_: object = None) -> None:
    # A child multiprocessing forks ends in os._exit, past atexit; it runs its own exit
    # finalizers first, and a forked child starts with none, so each one registers again.
    multiprocessing.util.Finalize(None, reset, exitpriority=100)


def _setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("EXPVAR_STORE", "CACHES"):
        reset()


# Forks (gunicorn --preload, Celery's prefork pool) copy this process with only the forking
# thread: the stores hold their locks across the fork so the child gets them in a sane state.
def _before_fork() -> None:
    _local.before_fork()
    if _current is not None and _current is not _local:
        _current.before_fork()


def _after_fork_parent() -> None:
    if _current is not None and _current is not _local:
        _current.after_fork_parent()
    _local.after_fork_parent()


def _after_fork() -> None:
    global _lock
    _lock = threading.Lock()
    _local.after_fork()
    if _current is not None and _current is not _local:
        _current.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork_parent, after_in_child=_after_fork
    )
