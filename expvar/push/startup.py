"""What the ``expvar`` app does for push variables when Django starts."""

from __future__ import annotations

from typing import Any

from django.core.signals import request_started

from expvar.push.stores import current


def ready() -> None:
    from expvar.push import panel

    panel.register()
    # The first request of each process (after a fork too) starts its heartbeat and flusher.
    request_started.connect(_serving, dispatch_uid="expvar.push.serving")


def _serving(**kwargs: Any) -> None:
    current().serving()
