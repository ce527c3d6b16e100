"""The demo site as a production server would run it, without its deliberately slow app.

``flaky`` holds a variable that hangs for 30 s and one that sleeps 0.25 s: realistic, but timing
them would measure the demo's slowness, not the endpoint's. ``DEBUG`` is off, as in production.
"""

from __future__ import annotations

from demo_site.settings import *  # noqa: F403

DEBUG = False
EXPVAR_SKIP = ["flaky"]
