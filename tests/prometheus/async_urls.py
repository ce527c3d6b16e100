from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("", include("expvar.urls_async"))]
