from __future__ import annotations

from django.apps import AppConfig


class ResourceConfig(AppConfig):
    name = "expvar.contrib.resource"
    label = "expvar_resource"
    verbose_name = "Expvar: resource usage"

    def ready(self) -> None:
        from expvar.contrib.resource import checks  # noqa: F401  (registers the system checks)
