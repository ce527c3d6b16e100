from __future__ import annotations

from django.apps import AppConfig


class FlakyConfig(AppConfig):
    name = "flaky"
    verbose_name = "Flaky"
