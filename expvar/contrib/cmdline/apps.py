from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks

from expvar.contrib.cmdline.redact import redaction


class CmdlineConfig(AppConfig):
    name = "expvar.contrib.cmdline"
    label = "expvar_cmdline"
    verbose_name = "Expvar: command line"

    def ready(self) -> None:
        checks.register(check_cmdline_redact)


def check_cmdline_redact(**kwargs: Any) -> list[checks.CheckMessage]:
    return [issue.as_check() for issue in redaction()[1]]
