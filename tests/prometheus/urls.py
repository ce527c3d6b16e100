from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

import expvar

# Counted by every gunicorn worker into Redis; scraped by Prometheus as a counter.
bumped = expvar.Int("prometheus_tests_bumped", prometheus="counter")


def bump(request: HttpRequest) -> HttpResponse:
    bumped.add(1)
    return HttpResponse("bumped")


urlpatterns = [path("bump", bump), path("", include("tests.urls"))]
