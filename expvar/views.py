"""The ``/debug/vars`` endpoint, for WSGI (``ExpVarView``) and ASGI (``AsyncExpVarView``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from expvar.access import is_allowed, is_allowed_async
from expvar.resolution import Resolution, resolve, resolve_async

CONTENT_TYPE = "application/json; charset=utf-8"


class ExpVarView(View):
    """Serve every published variable as Go's expvar handler does."""

    http_method_names = ["get", "head"]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponseBase]:
        # Monitors poll anonymously: access is the policy's decision, not the login middleware's.
        # Only GET and HEAD are served, so a POST must meet the 405, not the CSRF page.
        # Decorated once, here, not per request on dispatch; both wrap async views as async.
        view = login_not_required(super().as_view(**initkwargs))
        return never_cache(csrf_exempt(view))

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_allowed(request):
            return forbidden(request)
        return self.respond(resolve(), request)

    def respond(self, resolution: Resolution, request: HttpRequest) -> HttpResponse:
        return HttpResponse(
            self.render(resolution, request), content_type=self.content_type_for(request)
        )

    def content_type_for(self, request: HttpRequest) -> str:
        """Return the Content-Type of the answer; subclasses may negotiate it."""
        return CONTENT_TYPE

    def render(self, resolution: Resolution, request: HttpRequest) -> str:
        """Return the body for one resolution; subclasses serve other formats."""
        return resolution.body()


def asynchronous(view_class: type[ExpVarView]) -> type[ExpVarView]:
    """Return ``view_class`` for ASGI: an async view that never blocks the event loop."""

    async def get(self: ExpVarView, request: HttpRequest) -> HttpResponse:
        if not await is_allowed_async(request):
            return forbidden(request)
        return self.respond(await resolve_async(), request)

    return type(f"Async{view_class.__name__}", (view_class,), {"get": get})


# For ASGI sites (uvicorn, daphne, granian): see docs/endpoint.md.
AsyncExpVarView = asynchronous(ExpVarView)


def forbidden(request: HttpRequest) -> HttpResponse:
    detail = (
        f"{request.path} is served to loopback, INTERNAL_IPS and EXPVAR_ALLOWED_IPS "
        "clients, active staff, and requests carrying EXPVAR_TOKEN."
    )
    body = {"error": "forbidden", "detail": detail}
    return JsonResponse(body, status=403, content_type=CONTENT_TYPE)
