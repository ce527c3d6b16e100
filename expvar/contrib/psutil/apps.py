from __future__ import annotations

from django.apps import AppConfig


class PsutilConfig(AppConfig):
    name = "expvar.contrib.psutil"
    label = "expvar_psutil"
    verbose_name = "Expvar: psutil"
