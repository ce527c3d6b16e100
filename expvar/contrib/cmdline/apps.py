from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class CmdlineConfig(AppConfig):
    name = "expvar.contrib.cmdline"
    label = "expvar_cmdline"
    verbose_name = "Expvar: command line"

    def ready(self) -> None:
        from expvar.contrib.cmdline.conf import check_cmdline_redact

        checks.register(check_cmdline_redact)
