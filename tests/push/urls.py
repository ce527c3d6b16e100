from __future__ import annotations

from django.urls import include, path

from tests.push import views

urlpatterns = [
    path("count", views.count),
    path("ok", views.ok),
    path("missing", views.missing),
    path("boom", views.boom),
    path("in-flight", views.in_flight),
    path("async", views.async_ok),
    path("", include("tests.urls")),
]
