"""The ASGI twin of ``benchmarks.urls``: ``expvar.urls_async`` and an async bare view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from benchmarks.urls import floor_response


async def floor(request: HttpRequest) -> HttpResponse:
    return floor_response()


urlpatterns = [
    path("", include("expvar.urls_async")),
    path("floor", floor, name="floor"),
]
