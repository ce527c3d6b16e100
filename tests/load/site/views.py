"""Views the load tests drive: a readiness probe, a request that holds a thread, a counter."""

from __future__ import annotations

import os
import threading
import time

from django.http import HttpRequest, HttpResponse, JsonResponse

import expvar

bumps = expvar.Int("load_bumps")

HOLD_SECONDS = 0.25
_lock = threading.Lock()
_active = 0
_peak = 0


def ping(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"pid": os.getpid()})


def hold(request: HttpRequest) -> HttpResponse:
    """Hold a server thread for a moment and answer how many were held at once in this process.

    Enough concurrent holds make gunicorn's gthread worker start every thread of its pool, so a
    test can take the thread count of a worker at full strength before it loads /debug/vars.
    """
    global _active, _peak
    with _lock:
        _active += 1
        _peak = max(_peak, _active)
    try:
        time.sleep(HOLD_SECONDS)
    finally:
        with _lock:
            _active -= 1
    return JsonResponse({"pid": os.getpid(), "peak": _peak})


def bump(request: HttpRequest) -> HttpResponse:
    """Add one to the push counter; a 200 acknowledges that one count."""
    bumps.add(1)
    return JsonResponse({"pid": os.getpid()})
