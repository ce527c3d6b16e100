from __future__ import annotations

import expvar

# struct_rusage's fields in its order, without "ru_": two times in seconds (floats), then counts.
FIELDS = (
    "utime", "stime", "maxrss", "ixrss", "idrss", "isrss", "minflt", "majflt", "nswap", "inblock",
    "oublock", "msgsnd", "msgrcv", "nsignals", "nvcsw", "nivcsw",
)  # fmt: skip

try:
    from resource import RUSAGE_SELF, getrusage
except ImportError:
    # Windows: without a class here discovery publishes nothing; apps.py's check says why.
    pass
else:

    class Resource(expvar.ExpVar):
        name = "resource"

        def value(self) -> dict[str, float | int]:
            return dict(zip(FIELDS, getrusage(RUSAGE_SELF), strict=True))
