from __future__ import annotations

import sys

import expvar
from expvar.contrib.cmdline.redact import redact_argv, redaction


class Cmdline(expvar.ExpVar):
    name = "cmdline"

    def value(self) -> list[str]:
        argv = [str(sys.executable or ""), *map(str, sys.argv)]
        secret, _ = redaction()
        return argv if secret is None else list(redact_argv(tuple(argv), secret))
