"""The ``/debug/vars`` endpoint."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.http import http_date
from django.views import View

from expvar.access import is_allowed
from expvar.resolution import resolve

CONTENT_TYPE = "application/json; charset=utf-8"
# What django.views.decorators.cache.never_cache sets, written directly: the decorator parses and
# merges any existing Cache-Control header, which costs more than the rest of a small response.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


class ExpVarView(View):
    """Serve every published variable as Go's expvar handler does."""

    http_method_names = ["get", "head"]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponseBase]:
        # Monitors poll anonymously; access is the policy's decision, not the login middleware's.
        return login_not_required(super().as_view(**initkwargs))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        # Every answer, 403 and 405 included, as never_cache would.
        response.headers["Expires"] = _expires_now()
        response.headers["Cache-Control"] = NEVER_CACHE
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_allowed(request):
            return forbidden()
        # Encoded here: HttpResponse would first look up the charset in the content type.
        return HttpResponse(resolve().body().encode(), content_type=CONTENT_TYPE)


# The Expires header changes once a second; formatting it costs more than reusing it.
_expires: tuple[int, str] = (0, "")


def _expires_now() -> str:
    global _expires
    now = int(time.time())
    second, text = _expires
    if second != now:
        text = http_date(now)
        _expires = (now, text)
    return text


def forbidden() -> HttpResponse:
    body = {
        "error": "forbidden",
        "detail": (
            "/debug/vars is served to loopback, INTERNAL_IPS and EXPVAR_ALLOWED_IPS clients, "
            "active staff, and requests carrying EXPVAR_TOKEN."
        ),
    }
    return HttpResponse(json.dumps(body), status=403, content_type=CONTENT_TYPE)
