"""Push variables (Go's ``expvar.NewInt`` and friends), stored where ``EXPVAR_STORE`` says."""

from __future__ import annotations

from typing import Any

from expvar.push.stores import StoreUnavailable, current, flush
from expvar.push.variables import Float, Int, Map, String, Var

__all__ = ["Float", "Int", "Map", "StoreUnavailable", "String", "Var", "flush"]


def ready() -> None:
    """Set up push variables as the ``expvar`` app starts: the Processes panel, the heartbeat."""
    from django.core.signals import request_started

    from expvar.dashboard.panels import register_panel
    from expvar.push.cluster import TEMPLATE, context

    register_panel(TEMPLATE, context)
    # The first request of each process (after a fork too) starts its heartbeat and flusher.
    request_started.connect(_serving, dispatch_uid="expvar.push.serving")


def _serving(**kwargs: Any) -> None:
    current().serving()
