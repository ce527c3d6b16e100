"""Settings for mypy's Django plugin: the suite's, without the app that fails on purpose."""

from __future__ import annotations

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "tests.testapps.broken"]
