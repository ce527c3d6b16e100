"""The benchmark project for uvicorn: ``uvicorn benchmarks.asgi:application``."""

from __future__ import annotations

from benchmarks.endpoint import serving_asgi_app
from benchmarks.server import BENCH_VARIABLES

application = serving_asgi_app(BENCH_VARIABLES)
