from __future__ import annotations

import importlib.util
import sys
from typing import Any

from django.apps import AppConfig
from django.core import checks


class ResourceConfig(AppConfig):
    name = "expvar.contrib.resource"
    label = "expvar_resource"
    verbose_name = "Expvar: resource usage"


# Registered as Django imports this module, which it does only for an installed app.
@checks.register()
def check_resource_module(**kwargs: Any) -> list[checks.CheckMessage]:
    if importlib.util.find_spec("resource") is not None:
        return []
    return [
        checks.Warning(
            f"expvar.contrib.resource publishes nothing here: Python's resource module "
            f"(getrusage) does not exist on this platform ({sys.platform}).",
            hint="Remove expvar.contrib.resource from INSTALLED_APPS; expvar.contrib.psutil "
            "publishes this process's CPU times and memory on every platform.",
            id="expvar.W020",
        )
    ]
