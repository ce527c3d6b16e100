"""Publish ``memstats``: Go's ``runtime.MemStats`` layout filled from Python's GC and the OS."""
