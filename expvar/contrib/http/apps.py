from __future__ import annotations

from django.apps import AppConfig


class HttpConfig(AppConfig):
    name = "expvar.contrib.http"
    label = "expvar_http"
    verbose_name = "Expvar: HTTP"
