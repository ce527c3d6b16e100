"""The test settings, served by gunicorn workers that share one Redis store."""

from __future__ import annotations

import os

from tests.settings import *  # noqa: F403
from tests.settings import MIDDLEWARE

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "expvar": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["EXPVAR_TEST_REDIS_URL"],
    },
}
EXPVAR_STORE = {
    "BACKEND": "cache",
    "ALIAS": "expvar",
    "KEY_PREFIX": os.environ["EXPVAR_TEST_PREFIX"],
    # Long enough that counts reach Redis only through the flush at exit, which the test checks.
    "FLUSH_INTERVAL": 60,
    "HEARTBEAT": 1,
}
ROOT_URLCONF = "tests.push.urls"
MIDDLEWARE = ["expvar.contrib.http.middleware.HttpMetricsMiddleware", *MIDDLEWARE]
