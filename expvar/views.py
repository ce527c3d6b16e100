"""The ``/debug/vars`` endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views import View
from django.views.decorators.cache import never_cache

from expvar.access import is_allowed
from expvar.resolution import resolve

CONTENT_TYPE = "application/json; charset=utf-8"


class ExpVarView(View):
    """Serve every published variable as Go's expvar handler does."""

    http_method_names = ["get", "head"]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponseBase]:
        # Monitors poll anonymously; access is the policy's decision, not the login middleware's.
        # never_cache wraps the view function once, rather than each request's bound method.
        return login_not_required(never_cache(super().as_view(**initkwargs)))

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_allowed(request):
            return forbidden()
        return HttpResponse(resolve().body(), content_type=CONTENT_TYPE)


def forbidden() -> HttpResponse:
    body = {
        "error": "forbidden",
        "detail": (
            "/debug/vars is served to loopback, INTERNAL_IPS and EXPVAR_ALLOWED_IPS clients, "
            "active staff, and requests carrying EXPVAR_TOKEN."
        ),
    }
    return HttpResponse(json.dumps(body), status=403, content_type=CONTENT_TYPE)
