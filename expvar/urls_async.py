"""``path("", include("expvar.urls_async"))``: the endpoints as async views, for ASGI sites."""

from __future__ import annotations

from django.urls import path

from expvar.prometheus.views import MetricsView
from expvar.views import AsyncExpVarView, asynchronous

urlpatterns = [
    path("debug/vars", AsyncExpVarView.as_view(), name="expvar"),
    path("debug/metrics", asynchronous(MetricsView).as_view(), name="expvar-metrics"),
]
