from __future__ import annotations

import expvar
from expvar.contrib.resource.availability import load_resource

FLOAT_FIELDS = ("utime", "stime")
INT_FIELDS = (
    "maxrss",
    "ixrss",
    "idrss",
    "isrss",
    "minflt",
    "majflt",
    "nswap",
    "inblock",
    "oublock",
    "msgsnd",
    "msgrcv",
    "nsignals",
    "nvcsw",
    "nivcsw",
)

_FLOATS = tuple((field, f"ru_{field}") for field in FLOAT_FIELDS)
_INTS = tuple((field, f"ru_{field}") for field in INT_FIELDS)

_resource = load_resource()

# Without the module there is no class here, so discovery publishes nothing; checks.py says why.
if _resource is not None:
    _getrusage = _resource.getrusage
    _RUSAGE_SELF = _resource.RUSAGE_SELF

    class Resource(expvar.ExpVar):
        name = "resource"

        def value(self) -> dict[str, float | int]:
            usage = _getrusage(_RUSAGE_SELF)
            figures: dict[str, float | int] = {
                field: float(getattr(usage, attribute)) for field, attribute in _FLOATS
            }
            for field, attribute in _INTS:
                figures[field] = int(getattr(usage, attribute))
            return figures
