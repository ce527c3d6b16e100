"""Ready-made variables, one Django app each: cmdline, resource, psutil, memstats and http."""

from __future__ import annotations
