from __future__ import annotations

from django.urls import path

from traffic import views

app_name = "traffic"
urlpatterns = [
    path("", views.index, name="index"),
    path("order", views.order, name="order"),
    path("burst", views.burst, name="burst"),
]
