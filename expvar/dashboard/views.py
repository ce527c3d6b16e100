"""The dashboard page, its refresh partial, and the answer that stops a poll."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import django
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django_htmx.http import HttpResponseStopPolling

from expvar.conf import get_config
from expvar.dashboard.context import build_dashboard
from expvar.dashboard.panels import panel_scripts, render_panels
from expvar.dashboard.rows import new_token, render_rows
from expvar.prometheus.series import series_for
from expvar.resolution import resolve

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

logger = logging.getLogger("expvar")


def dashboard(
    request: HttpRequest, model_admin: ModelAdmin[Any], extra_context: dict[str, Any] | None
) -> TemplateResponse:
    """Render the whole dashboard page."""
    site, opts = model_admin.admin_site, model_admin.opts
    interval = get_config().refresh_interval
    page = new_token()
    # htmx reads "5s" and "500ms"; whole seconds read better in the page source.
    every = f"{interval:g}s" if interval == int(interval) else f"{round(interval * 1000)}ms"
    try:
        raw_url: str | None = reverse("expvar")
    except NoReverseMatch:  # the URL name is fixed, but the endpoint may not be mounted
        raw_url = None
    context = {
        **site.each_context(request),
        "title": capfirst(opts.verbose_name_plural),
        "opts": opts,
        "app_label": opts.app_label,
        **_live(request, page),
        "page_token": page,
        "panel_scripts": panel_scripts(),
        "filter_q": request.GET.get("q", ""),
        "refresh_url": _url("refresh", model_admin),
        "series_url": _url("series", model_admin),
        "refresh_trigger": f"every {every}, expvar:refresh",
        "refresh_choices": [
            (f"{s:g}", f"{s:g} s", s == interval)
            for s in sorted({1.0, 2.0, 5.0, 10.0, 30.0, 60.0, interval})
        ],
        "raw_url": raw_url,
        # Django 6.0 turned the breadcrumbs into a list; follow whichever the admin styles.
        "breadcrumbs_as_list": django.VERSION >= (6, 0),
        **(extra_context or {}),
    }
    request.current_app = site.name
    return TemplateResponse(request, "expvar/dashboard/page.html", context)


def refresh(request: HttpRequest, model_admin: ModelAdmin[Any]) -> HttpResponse:
    """Render the dashboard's live body: the small parts whole, of the rows what changed."""
    return HttpResponse(render_to_string("expvar/dashboard/refresh.html", _live(request), request))


def _live(request: HttpRequest, page: str | None = None) -> dict[str, Any]:
    # What the live body renders, for the new page ``page`` or for a refresh: one read.
    resolution = resolve()
    dashboard = build_dashboard(resolution)
    shown = render_rows(request, dashboard, page)
    return {"dashboard": dashboard, "shown": shown, "panels": render_panels(request, resolution)}


def series(request: HttpRequest, model_admin: ModelAdmin[Any]) -> JsonResponse:
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


def stop_polling(request: HttpRequest, model_admin: ModelAdmin[Any]) -> HttpResponse:
    """Tell htmx to stop polling (HTTP 286) and the page why."""
    if request.user.is_authenticated:
        reason = "You no longer have permission to view these variables."
    else:
        reason = "Your session has expired."
    login = reverse("admin:login", current_app=model_admin.admin_site.name)
    next_url = urlencode({"next": _url("changelist", model_admin)})
    context = {"reason": reason, "login_url": f"{login}?{next_url}"}
    return HttpResponseStopPolling(
        render_to_string("expvar/dashboard/stopped.html", context, request)
    )


def _url(view: str, model_admin: ModelAdmin[Any]) -> str:
    opts = model_admin.opts
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{view}",
        current_app=model_admin.admin_site.name,
    )
