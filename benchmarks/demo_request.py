"""Median time of one /debug/vars request on the demo, in-process through RequestFactory.

Run from the repository root: ``python -m benchmarks.demo_request``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from benchmarks.timing import Timing, measure

DEMO = Path(__file__).resolve().parent.parent / "demo"


def run() -> list[Timing]:
    sys.path.insert(0, str(DEMO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_site.settings")
    import django

    django.setup()
    from django.test import RequestFactory

    from expvar.views import ExpVarView

    view = ExpVarView.as_view()
    request = RequestFactory().get("/debug/vars", REMOTE_ADDR="127.0.0.1")
    # The first request meets the demo's hung variable and waits EXPVAR_TIMEOUT for it; from
    # then on it is skipped while it runs, as on a live site.
    view(request)
    return [measure("demo /debug/vars (RequestFactory, in-process)", lambda: view(request))]


if __name__ == "__main__":
    for timing in run():
        print(timing.describe())
