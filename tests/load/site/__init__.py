"""The load-and-fault suite's own site, served by gunicorn; settings come from the environment."""

from __future__ import annotations
