"""Push variables in the demo: counters moved by its views and by a small background ticker."""

from __future__ import annotations
