from __future__ import annotations

from django.apps import AppConfig


class ExpvarConfig(AppConfig):
    name = "expvar"
    verbose_name = "Expvar"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from expvar import checks  # noqa: F401  (registers the system checks)
        from expvar.discovery import discover
        from expvar.push import ready as ready_push
        from expvar.registry import get_registry

        get_registry().load(discover())
        ready_push()
