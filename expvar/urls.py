from __future__ import annotations

from django.urls import path

from expvar.views import ExpVarView

urlpatterns = [path("debug/vars", ExpVarView.as_view(), name="expvar")]
