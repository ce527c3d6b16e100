"""The dashboard as the changelist of the table-less ``Variable`` model."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page

from expvar.conf import get_config
from expvar.dashboard import views
from expvar.models import Variable

PERMISSION = "expvar.view_variable"

# ModelAdmin is generic only to type checkers (django-stubs); at run time it is a plain class.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Variable]
else:
    _ModelAdmin = admin.ModelAdmin


class VariableAdmin(_ModelAdmin):
    """Show every variable live; register it on any AdminSite."""

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.has_perm(PERMISSION)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        guarded_refresh = self._guarded(views.refresh)

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
                # page would go on polling the login form.
                return views.stop_polling(request, self)
            return guarded_refresh(request)

        return [
            path("", self.admin_site.admin_view(self.changelist_view), name=f"{prefix}_changelist"),
            path("refresh/", refresh, name=f"{prefix}_refresh"),
            path("series/", self._guarded(views.series), name=f"{prefix}_series"),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._require_view_permission(request)
        return views.dashboard(request, self, extra_context)

    def _guarded(
        self, view: Callable[[HttpRequest, VariableAdmin], HttpResponseBase]
    ) -> Callable[[HttpRequest], HttpResponseBase]:
        def checked(request: HttpRequest) -> HttpResponseBase:
            self._require_view_permission(request)
            return view(request, self)

        return self.admin_site.admin_view(checked)

    def _require_view_permission(self, request: HttpRequest) -> None:
        # Staff are logged in already: the login page would only send them back (403, as the
        # admin answers a staff member who lacks a model's view permission).
        if not self.has_view_permission(request):
            raise PermissionDenied("You do not have permission to view expvar variables.")


if get_config().admin:
    admin.site.register(Variable, VariableAdmin)
