"""Publish psutil's system figures (``cpu``, ``vmem``, ``swap``, ``netio``) and ``process``."""

from __future__ import annotations
