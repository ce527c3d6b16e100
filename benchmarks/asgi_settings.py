"""``benchmarks.settings`` for an ASGI server: the same project, with the async URLconf."""

from __future__ import annotations

from benchmarks.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls_async"
