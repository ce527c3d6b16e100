from __future__ import annotations

import os

from django.contrib import admin
from django.urls import include, path

from tests.load.site import views

urlpatterns = [
    path("ping", views.ping),
    path("hold", views.hold),
    path("bump", views.bump),
    path("admin/", admin.site.urls),
    path("", include("expvar.urls_async" if os.environ.get("EXPVAR_LOAD_ASGI") else "expvar.urls")),
]
