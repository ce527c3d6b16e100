from __future__ import annotations

import os
import sys

from django.apps import AppConfig


class TrafficConfig(AppConfig):
    name = "traffic"
    verbose_name = "Traffic"

    def ready(self) -> None:
        # Imported here, after discovery, so the demo also shows push variables that are
        # created late being added to the dashboard.
        from traffic import counters  # noqa: F401

        if serving():
            from traffic.ticker import start

            start()


def serving() -> bool:
    """True in a process that serves requests: not during migrate, check, shell or tests."""
    forced = os.environ.get("TRAFFIC_TICKER")
    if forced is not None:
        return forced == "1"
    argv = sys.argv
    if "runserver" in argv:
        # The autoreloader's parent process only watches files; its child (RUN_MAIN) serves.
        return os.environ.get("RUN_MAIN") == "true" or "--noreload" in argv
    # gunicorn, uvicorn and daphne, run as commands or with python -m.
    program = argv[0] if argv else ""
    return any(server in program for server in ("gunicorn", "uvicorn", "daphne"))
