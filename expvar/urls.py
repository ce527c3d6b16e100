from __future__ import annotations

from django.urls import path

from expvar.prometheus.views import MetricsView
from expvar.views import ExpVarView

urlpatterns = [
    path("debug/vars", ExpVarView.as_view(), name="expvar"),
    path("debug/metrics", MetricsView.as_view(), name="expvar-metrics"),
]
