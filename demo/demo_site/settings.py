"""The demo site: SQLite, every expvar app installed, and small apps that show each rule."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DEMO_SECRET_KEY", "demo-only-not-secret")
DEBUG = os.environ.get("DEMO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "expvar",
    "expvar.contrib.cmdline",
    "expvar.contrib.resource",
    "expvar.contrib.psutil",
    "expvar.contrib.memstats",
    "expvar.contrib.http",
    "demo_site",
    "shop",
    # Listed by its AppConfig path: discovery finds it all the same.
    "warehouse.apps.WarehouseConfig",
    "flaky",
    # Push counters moved by its views and a background ticker.
    "traffic",
]

MIDDLEWARE = [
    # First, so its latency covers every other middleware too.
    "expvar.contrib.http.middleware.HttpMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "demo_site.urls"
WSGI_APPLICATION = "demo_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEMO_DB", BASE_DIR / "db.sqlite3"),
    }
}

# With DEMO_REDIS_URL set, push variables add up across every worker through Redis;
# without it (make demo) each process keeps its own counts.
DEMO_REDIS_URL = os.environ.get("DEMO_REDIS_URL")
if DEMO_REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "expvar": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEMO_REDIS_URL,
        },
    }
    EXPVAR_STORE = {"BACKEND": "cache", "ALIAS": "expvar", "KEY_PREFIX": "expvar-demo"}

USE_TZ = True
# Django defaults to America/Chicago; times on the dashboard read better in UTC.
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# No SILENCED_SYSTEM_CHECKS: the expvar.W001 warnings that `make demo` prints for `inventory`
# and `version` show that a shared name is never silent.

# expvar: EXPVAR_TIMEOUT keeps its default, 0.5 s, below the 1 s after which expvarmon and
# Netdata give up on a poll, so the hung variable never costs a monitor its answer.
EXPVAR_REFRESH_INTERVAL = 2
EXPVAR_TOKEN = os.environ.get("EXPVAR_TOKEN") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"expvar": {"handlers": ["console"], "level": "WARNING"}},
}
