"""Settings of the load site. The test that starts a server chooses, through the environment:

- ``EXPVAR_LOAD_APPS``: which of the site's apps publish variables (``faulty``, ``ordinary``,
  ``hostile``), comma-separated;
- ``EXPVAR_LOAD_DIR``: a directory of the test's own (the SQLite database, the hung variable's
  call log);
- ``EXPVAR_LOAD_REDIS_URL`` and ``EXPVAR_LOAD_PREFIX``: a Redis shared store for push variables,
  flushed every ``EXPVAR_LOAD_FLUSH_INTERVAL`` seconds.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.load.site import names
from tests.push.conftest import store_settings
from tests.settings import *  # noqa: F403
from tests.settings import CONTRIB_APPS
from tests.settings import INSTALLED_APPS as SUITE_APPS

LOAD_DIR = Path(os.environ["EXPVAR_LOAD_DIR"])
SITE_APPS = [
    f"tests.load.site.{app}"
    for app in os.environ.get("EXPVAR_LOAD_APPS", "faulty,ordinary").split(",")
    if app
]
# Without the contrib and the suite's test apps: the site publishes exactly its own variables.
INSTALLED_APPS = [
    *(app for app in SUITE_APPS if app not in CONTRIB_APPS and not app.startswith("tests.")),
    "tests.load.site",
    *SITE_APPS,
]
ROOT_URLCONF = "tests.load.site.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": LOAD_DIR / "db.sqlite3"}}
SECRET_KEY = names.SECRET_KEY
EXPVAR_TIMEOUT = 0.5

if os.environ.get("EXPVAR_LOAD_REDIS_URL"):
    globals().update(
        store_settings(
            os.environ["EXPVAR_LOAD_REDIS_URL"],
            os.environ["EXPVAR_LOAD_PREFIX"],
            FLUSH_INTERVAL=float(os.environ.get("EXPVAR_LOAD_FLUSH_INTERVAL", "1.0")),
            TIMEOUT=0.2,
        )
    )

# Errors go to gunicorn's log (the test's own file), which a failing test prints.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "level": "ERROR"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["null"]},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
