"""System checks for ``expvar.contrib.resource``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.checks import CheckMessage, Warning, register

from expvar.contrib.resource.availability import load_resource


@register()
def check_resource_module(**kwargs: Any) -> list[CheckMessage]:
    if load_resource() is not None:
        return []
    return [
        Warning(
            f"expvar.contrib.resource publishes nothing here: Python's resource module "
            f"(getrusage) does not exist on this platform ({sys.platform}).",
            hint="Remove expvar.contrib.resource from INSTALLED_APPS; expvar.contrib.psutil "
            "publishes this process's CPU times and memory on every platform.",
            id="expvar.W020",
        )
    ]
