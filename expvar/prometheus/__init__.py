"""The Prometheus exposition of the published variables, served at ``/debug/metrics``."""

from __future__ import annotations

from expvar.prometheus.model import Exposer, Exposition, Family, Metric, Sample, counter, gauge
from expvar.prometheus.series import series_for

__all__ = ["Exposer", "Exposition", "Family", "Metric", "Sample", "counter", "gauge", "series_for"]
