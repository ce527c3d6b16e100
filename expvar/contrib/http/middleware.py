"""Count every request into ``http``, in sync and async stacks; first in MIDDLEWARE, it times
everything the others do (until the response is returned, not until a streamed body is sent)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

from expvar.contrib.http.vars import bucket_key, http, method_key, status_key


class HttpMetricsMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        started, response = _start(), None
        try:
            response = self.get_response(request)
            return response
        finally:
            _finish(request, started, response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        started, response = _start(), None
        try:
            response = await get_response(request)
            return response
        finally:
            _finish(request, started, response)


def _start() -> float:
    http.add_many((("requests", 1), ("in_flight", 1)))
    return time.perf_counter()


def _finish(request: HttpRequest, started: float, response: HttpResponseBase | None) -> None:
    elapsed = time.perf_counter() - started
    method = method_key(request.method)
    # A response that never came (an exception escaped every handler) counts as a 5xx.
    status = status_key(response.status_code if response else None)
    http.add_many(
        (
            ("in_flight", -1),
            (("by_method", method), 1),
            (("by_status", status), 1),
            (("by_method_status", method, status), 1),
            (("latency", "count"), 1),
            (("latency", "sum"), elapsed),
            (("latency", "buckets", bucket_key(elapsed)), 1),
        )
    )
