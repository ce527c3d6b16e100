from __future__ import annotations

import sys

import expvar
from expvar.contrib.cmdline.redact import redact_argv, redaction_setting


class Cmdline(expvar.ExpVar):
    name = "cmdline"

    def value(self) -> list[str]:
        argv = [str(sys.executable or ""), *map(str, sys.argv)]
        redaction = redaction_setting()
        return redact_argv(argv, redaction.extra) if redaction.enabled else argv
