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
from expvar.dashboard.rows import RefreshParams, new_token, refresh_params, render_rows
from expvar.prometheus.series import series_for
from expvar.resolution import resolve

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

logger = logging.getLogger("expvar")

PAGE_TEMPLATE = "expvar/dashboard/page.html"
REFRESH_TEMPLATE = "expvar/dashboard/refresh.html"
STOPPED_TEMPLATE = "expvar/dashboard/stopped.html"


def dashboard(
    request: HttpRequest, model_admin: ModelAdmin[Any], extra_context: dict[str, Any] | None
) -> TemplateResponse:
    """Render the whole dashboard page."""
    site = model_admin.admin_site
    opts = model_admin.opts
    interval = get_config().refresh_interval
    resolution = resolve()
    dashboard = build_dashboard(resolution)
    params = RefreshParams(page=new_token(), since="", open_rows=frozenset())
    context = {
        **site.each_context(request),
        "title": capfirst(opts.verbose_name_plural),
        "opts": opts,
        "app_label": opts.app_label,
        "dashboard": dashboard,
        "shown": render_rows(request, dashboard, params),
        "page_token": params.page,
        "panels": render_panels(request, resolution),
        "panel_scripts": panel_scripts(),
        "filter_q": request.GET.get("q", ""),
        "refresh_url": _url("refresh", model_admin),
        "series_url": _url("series", model_admin),
        "refresh_interval": interval,
        "refresh_trigger": f"every {_seconds(interval)}, expvar:refresh",
        "refresh_choices": _choices(interval),
        "raw_url": _raw_url(),
        # Django 6.0 turned the breadcrumbs into a list; follow whichever the admin styles.
        "breadcrumbs_as_list": django.VERSION >= (6, 0),
        **(extra_context or {}),
    }
    request.current_app = site.name
    return TemplateResponse(request, PAGE_TEMPLATE, context)


def refresh(request: HttpRequest, model_admin: ModelAdmin[Any]) -> HttpResponse:
    """Render the dashboard's live body: the small parts whole, of the rows what changed."""
    resolution = resolve()
    dashboard = build_dashboard(resolution)
    context = {
        "dashboard": dashboard,
        "shown": render_rows(request, dashboard, refresh_params(request)),
        "panels": render_panels(request, resolution),
    }
    return HttpResponse(render_to_string(REFRESH_TEMPLATE, context, request=request))


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
    site = model_admin.admin_site
    login = reverse("admin:login", current_app=site.name)
    next_url = _url("changelist", model_admin)
    context = {"reason": reason, "login_url": f"{login}?{urlencode({'next': next_url})}"}
    return HttpResponseStopPolling(render_to_string(STOPPED_TEMPLATE, context, request=request))


def _url(view: str, model_admin: ModelAdmin[Any]) -> str:
    opts = model_admin.opts
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{view}",
        current_app=model_admin.admin_site.name,
    )


def _seconds(interval: float) -> str:
    # htmx reads "5s" and "500ms"; whole seconds read better in the page source.
    return f"{interval:g}s" if interval == int(interval) else f"{round(interval * 1000)}ms"


def _choices(interval: float) -> list[tuple[str, str, bool]]:
    seconds = sorted({1.0, 2.0, 5.0, 10.0, 30.0, 60.0, interval})
    return [(f"{s:g}", f"{s:g} s", s == interval) for s in seconds]


def _raw_url() -> str | None:
    # The endpoint's URL name is part of the contract, but a project may mount the admin
    # without the endpoint.
    try:
        return reverse("expvar")
    except NoReverseMatch:
        return None
