from __future__ import annotations

from django.apps import AppConfig


class CmdlineConfig(AppConfig):
    name = "expvar.contrib.cmdline"
    label = "expvar_cmdline"
    verbose_name = "Expvar: command line"

    def ready(self) -> None:
        from expvar.contrib.cmdline import redact  # noqa: F401  (registers the setting's check)
