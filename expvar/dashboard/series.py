"""The Prometheus series a published name is exposed as, for the dashboard's copy-path box."""

from __future__ import annotations

import json
import logging

from expvar.resolution import Resolution

logger = logging.getLogger("expvar")


def series_of(resolution: Resolution, name: str) -> list[str]:
    """Return the PromQL selector of each series ``name`` is exposed as (none if unpublished)."""
    text = resolution.published.get(name)
    if text is None:
        return []
    try:
        from expvar.prometheus.series import series_for
    except ImportError:  # the Prometheus exposition is optional to the dashboard
        return []
    try:
        return series_for(name, json.loads(text), resolution.sources[name])
    except Exception:  # a variable's own exposer must not break the dashboard
        logger.exception("expvar: the Prometheus series of %r could not be listed", name)
        return []
