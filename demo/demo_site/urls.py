from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from demo_site.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("traffic/", include("traffic.urls")),
    path("", include("expvar.urls")),
]
