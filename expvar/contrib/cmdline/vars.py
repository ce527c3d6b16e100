from __future__ import annotations

import sys

import expvar
from expvar.conf import settings
from expvar.contrib.cmdline.redact import redact_argv


class Cmdline(expvar.ExpVar):
    name = "cmdline"
    never_blocks = True

    def value(self) -> list[str]:
        argv = [str(sys.executable or ""), *map(str, sys.argv)]
        return redact_argv(argv, settings.CMDLINE_REDACT)
