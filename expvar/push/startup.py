"""What the ``expvar`` app does for push variables when Django starts."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.core.signals import request_started

from expvar.push.stores import current


def ready() -> None:
    from expvar.evaluation import add_read_scope
    from expvar.push import checks, panel  # noqa: F401  (checks register themselves)

    panel.register()
    # A request's reads of push variables on a shared store share one round trip.
    add_read_scope(_reading)
    # The first request of each process (after a fork too) starts its heartbeat and flusher.
    request_started.connect(_serving, dispatch_uid="expvar.push.serving")


def _reading() -> AbstractContextManager[object]:
    return current().reading()


def _serving(**kwargs: Any) -> None:
    current().serving()
