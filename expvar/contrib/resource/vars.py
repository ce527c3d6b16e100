from __future__ import annotations

import expvar

TIMES = ("utime", "stime")
COUNTS = (
    "maxrss", "ixrss", "idrss", "isrss", "minflt", "majflt", "nswap", "inblock", "oublock",
    "msgsnd", "msgrcv", "nsignals", "nvcsw", "nivcsw",
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
            usage = getrusage(RUSAGE_SELF)
            times = {field: float(getattr(usage, f"ru_{field}")) for field in TIMES}
            return {**times, **{field: int(getattr(usage, f"ru_{field}")) for field in COUNTS}}
