"""Views for the push tests: one that counts, one that answers which process served it."""

from __future__ import annotations

import asyncio
import os

from django.http import HttpRequest, HttpResponse, JsonResponse

import expvar
from expvar.registry import get_registry

# Counted by real processes in the gunicorn test; unpublished here so the suite's own registry
# stays as the other tests expect it.
counted = expvar.Int("push_tests_counted")
get_registry().unpublish([counted])


def count(request: HttpRequest) -> HttpResponse:
    counted.add(1)
    return JsonResponse({"pid": os.getpid()})


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def missing(request: HttpRequest) -> HttpResponse:
    return HttpResponse("no", status=404)


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def in_flight(request: HttpRequest) -> HttpResponse:
    from expvar.contrib.http.vars import http

    return HttpResponse(str(http.get("in_flight")))


async def async_ok(request: HttpRequest) -> HttpResponse:
    await asyncio.sleep(0)
    return HttpResponse("ok", status=201)
