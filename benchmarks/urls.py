"""``/debug/vars`` and the floor it is measured against: a bare view serving the same bytes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from expvar.views import CONTENT_TYPE, ExpVarView

_floor_body = b"{\n\n}\n"


def set_floor_body(body: bytes) -> None:
    """Make the floor view serve ``body``: what ``/debug/vars`` serves for the timed registry."""
    global _floor_body
    _floor_body = body


def floor_response() -> HttpResponse:
    return HttpResponse(_floor_body, content_type=CONTENT_TYPE)


def floor(request: HttpRequest) -> HttpResponse:
    return floor_response()


urlpatterns = [
    path("debug/vars", ExpVarView.as_view(), name="expvar"),
    path("floor", floor, name="floor"),
]
