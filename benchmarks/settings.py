"""A minimal project for timing ``/debug/vars`` against a bare view behind the same stack.

The middleware is Django's ``startproject`` default, so both views pay what a fresh project
pays; the admin, htmx and contrib apps are installed so the other benchmark modules (the admin
partial, the contrib variables) run under the same settings.
"""

from __future__ import annotations

SECRET_KEY = "django-expvar-benchmarks"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
USE_TZ = True

CONTRIB_APPS = [
    "expvar.contrib.cmdline",
    "expvar.contrib.resource",
    "expvar.contrib.psutil",
    "expvar.contrib.memstats",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "expvar",
    *CONTRIB_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "benchmarks.urls"

# Neither view touches the database; the admin benchmark may create a user in memory.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

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

STATIC_URL = "/static/"

# Requests come from REMOTE_ADDR 127.0.0.1, which the default access policy serves: the
# benchmark pays for the policy exactly as a monitor on loopback does.
EXPVAR_ACCESS = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"expvar": {"handlers": ["console"], "level": "WARNING"}},
}
