from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from expvar.views import AsyncExpVarView, ExpVarView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("expvar.urls")),
    # The 0.2-era wiring, with url() spelled re_path().
    re_path(r"^legacy/debug/vars$", ExpVarView.as_view(), name="expvar-legacy"),
    path("debug/async/vars", AsyncExpVarView.as_view(), name="expvar-async"),
]
