"""The dashboard as the changelist of the table-less ``Variable`` model: the page, its refresh
partial and the Prometheus series of one variable, on whichever AdminSite registers it."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import django
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django_htmx.http import HttpResponseStopPolling

from expvar.conf import get_config
from expvar.dashboard.live import live_context
from expvar.dashboard.panels import registered_panels
from expvar.models import Variable
from expvar.prometheus.series import series_for
from expvar.resolution import resolve

logger = logging.getLogger("expvar")

PERMISSION = "expvar.view_variable"
View = Callable[[HttpRequest], HttpResponseBase]

# ModelAdmin is generic only to type checkers (django-stubs); at run time it is a plain class.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Variable]
else:
    _ModelAdmin = admin.ModelAdmin


class VariableAdmin(_ModelAdmin):
    """Show every variable live; register it on any AdminSite."""

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.has_perm(PERMISSION)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        guarded_refresh = self._guarded(self.refresh_view)

        @login_not_required  # a poll must get its 286, not the login middleware's redirect
        @never_cache
        # Rows repeat the same markup, so a refresh shrinks about twentyfold. It carries no
        # CSRF token or session secret and reflects nothing from the request (BREACH).
        @gzip_page
        def refresh(request: HttpRequest) -> HttpResponseBase:
            # The header rather than request.htmx: django-htmx's middleware is optional.
            polled = request.headers.get("HX-Request") == "true"
            may_view = self.admin_site.has_permission(request) and self.has_view_permission(request)
            if polled and not may_view:
                # admin_view would redirect, and htmx follows a redirect without a word: the
                # page would go on polling the login form. HTTP 286 stops it, saying why.
                request.current_app = self.admin_site.name
                context = {"opts": self.opts, "expired": not request.user.is_authenticated}
                notice = render_to_string("expvar/dashboard/stopped.html", context, request)
                return HttpResponseStopPolling(notice)
            return guarded_refresh(request)

        return [
            path("", self._guarded(self.changelist_view), name=f"{prefix}_changelist"),
            path("refresh/", refresh, name=f"{prefix}_refresh"),
            path("series/", self._guarded(self.series_view), name=f"{prefix}_series"),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Render the whole dashboard page."""
        request.current_app = self.admin_site.name
        interval = get_config().refresh_interval
        # htmx reads "5s" and "500ms"; whole seconds read better in the page source.
        every = f"{interval:g}s" if interval == int(interval) else f"{round(interval * 1000)}ms"
        page = secrets.token_hex(8)
        context = {
            **self.admin_site.each_context(request),
            "title": capfirst(self.opts.verbose_name_plural),
            "opts": self.opts,
            **live_context(request, page),
            "page_token": page,
            # Each script once, however many panels need it.
            "panel_scripts": list(dict.fromkeys(s for p in registered_panels() for s in p.scripts)),
            "filter_q": request.GET.get("q", ""),
            "refresh_trigger": f"every {every}, expvar:refresh",
            "interval": interval,
            "refresh_choices": sorted({1.0, 2.0, 5.0, 10.0, 30.0, 60.0, interval}),
            # Django 6.0 turned the breadcrumbs into a list; follow whichever the admin styles.
            "breadcrumbs_as_list": django.VERSION >= (6, 0),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "expvar/dashboard/page.html", context)

    def refresh_view(self, request: HttpRequest) -> HttpResponse:
        """Render the dashboard's live body: the small parts whole, of the rows what changed."""
        body = render_to_string("expvar/dashboard/_body.html", live_context(request), request)
        return HttpResponse(body)

    def series_view(self, request: HttpRequest) -> JsonResponse:
        """Answer the Prometheus series of the variable named by ``?name=``, for copy-path."""
        resolution = resolve()
        name = request.GET.get("name", "")
        text = resolution.published.get(name)
        selectors: list[str] = []
        if text is not None:
            try:
                selectors = series_for(name, json.loads(text), resolution.sources[name])
            except Exception:  # a variable's own exposer must not break the dashboard
                logger.exception("expvar: the Prometheus series of %r could not be listed", name)
        return JsonResponse({"series": selectors})

    def _guarded(self, view: View) -> View:
        def checked(request: HttpRequest) -> HttpResponseBase:
            # Staff are logged in already: the login page would only send them back (403, as
            # the admin answers a staff member who lacks a model's view permission).
            if not self.has_view_permission(request):
                raise PermissionDenied("You do not have permission to view expvar variables.")
            return view(request)

        return self.admin_site.admin_view(checked)


if get_config().admin:
    admin.site.register(Variable, VariableAdmin)
