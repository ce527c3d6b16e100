"""A project with its own AdminSite and no /debug/vars endpoint."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.urls import path

from expvar.admin import VariableAdmin
from expvar.models import Variable

ops_site = AdminSite(name="ops")
ops_site.register(Variable, VariableAdmin)

urlpatterns = [path("ops/", ops_site.urls)]
