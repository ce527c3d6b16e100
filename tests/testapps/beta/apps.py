from __future__ import annotations

from django.apps import AppConfig


class BetaConfig(AppConfig):
    name = "tests.testapps.beta"
    label = "beta"
    verbose_name = "Beta"
