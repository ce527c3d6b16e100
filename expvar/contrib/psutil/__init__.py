"""Publish psutil's system figures (``cpu``, ``vmem``, ``swap``, ``netio``) and ``process``."""
