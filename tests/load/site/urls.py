from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from tests.load.site import views

urlpatterns = [
    path("ping", views.ping),
    path("hold", views.hold),
    path("bump", views.bump),
    path("admin/", admin.site.urls),
    path("", include("expvar.urls")),
]
