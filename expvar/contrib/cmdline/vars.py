from __future__ import annotations

import sys

import expvar
from expvar.contrib.cmdline.conf import get_redaction
from expvar.contrib.cmdline.redact import redact_argv


class Cmdline(expvar.ExpVar):
    name = "cmdline"

    def value(self) -> list[str]:
        argv = [str(sys.executable or ""), *map(str, sys.argv)]
        redaction = get_redaction()
        return redact_argv(argv, redaction.extra) if redaction.enabled else argv
