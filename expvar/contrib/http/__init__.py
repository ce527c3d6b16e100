"""Publish ``http``: requests by method and status class, in-flight requests and latency."""

from __future__ import annotations
