"""Ready-made variables, one Django app each: cmdline, resource, psutil and memstats."""

from __future__ import annotations
