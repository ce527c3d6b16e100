"""Publish ``http``: requests by method and status class, in-flight requests and latency."""
