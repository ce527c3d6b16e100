"""The ``/debug/metrics`` endpoint: ``/debug/vars``' view with a Prometheus body."""

from __future__ import annotations

from django.http import HttpRequest

from expvar.prometheus.exposition import expose
from expvar.prometheus.text import OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, render
from expvar.resolution import Resolution
from expvar.views import ExpVarView


class MetricsView(ExpVarView):
    """Serve every published variable in the Prometheus text format or OpenMetrics."""

    def content_type_for(self, request: HttpRequest) -> str:
        return OPENMETRICS_CONTENT_TYPE if wants_openmetrics(request) else TEXT_CONTENT_TYPE

    def render(self, resolution: Resolution, request: HttpRequest) -> str:
        entries = ((name, text, value) for name, _, text, value in resolution.entries)
        families = expose(entries, resolution.sources).families
        return render(families, openmetrics=wants_openmetrics(request))


def wants_openmetrics(request: HttpRequest) -> bool:
    """Tell whether ``Accept`` prefers OpenMetrics 1.0 to the text format, as Prometheus asks."""
    best_open, best_text = 0.0, 0.0
    for entry in request.META.get("HTTP_ACCEPT", "").split(","):
        media, *parameters = (part.strip() for part in entry.split(";"))
        options = {
            key.strip().lower(): value.strip().strip('"')
            for key, _, value in (part.partition("=") for part in parameters)
        }
        try:
            quality = min(max(float(options.get("q", "1")), 0.0), 1.0)
        except ValueError:
            quality = 0.0
        media, version = media.lower(), options.get("version", "1.0.0")
        if media == "application/openmetrics-text" and version in ("1.0.0", "1.0"):
            best_open = max(best_open, quality)
        elif media in ("text/plain", "text/*", "*/*"):
            best_text = max(best_text, quality)
    return best_open > 0 and best_open >= best_text
