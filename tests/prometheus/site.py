"""The test site as gunicorn serves it to a real Prometheus: a shared Redis store, a token."""

from __future__ import annotations

import hmac
import os

from django.http import HttpRequest

from tests.push.gunicorn_settings import *  # noqa: F403
from tests.push.gunicorn_settings import EXPVAR_STORE

# Flushed often, so the counts reach Redis (and Prometheus) while the workers run.
EXPVAR_STORE = {**EXPVAR_STORE, "FLUSH_INTERVAL": 0.2}
EXPVAR_TOKEN = os.environ["EXPVAR_TEST_TOKEN"]
# Only the token, even from loopback: the scrape must carry it as the documented config does.
EXPVAR_ACCESS = "tests.prometheus.site.token_only"
ROOT_URLCONF = "tests.prometheus.urls"


def token_only(request: HttpRequest) -> bool:
    offered = request.META.get("HTTP_AUTHORIZATION", "")
    return hmac.compare_digest(offered.encode(), f"Bearer {EXPVAR_TOKEN}".encode())
