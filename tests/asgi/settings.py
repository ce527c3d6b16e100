"""The test site served by uvicorn: the suite's settings, async views, and async variables."""

from __future__ import annotations

import os

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.asgi.asyncapp"]
ROOT_URLCONF = "tests.asgi.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXPVAR_ASGI_DB", ":memory:"),
    }
}
EXPVAR_TIMEOUT = 0.5
