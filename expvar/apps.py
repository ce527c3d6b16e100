from __future__ import annotations

from django.apps import AppConfig


class ExpvarConfig(AppConfig):
    name = "expvar"
    verbose_name = "Expvar"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from expvar import checks  # noqa: F401  (registers the system checks)
        from expvar.discovery import discover, set_registry
        from expvar.push import startup  # push variables: checks, Processes panel, heartbeat

        set_registry(discover())
        startup.ready()
