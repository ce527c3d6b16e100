from __future__ import annotations

SECRET_KEY = "django-expvar-tests"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# Fast password hashing: the admin and browser tests log users in many times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

USE_TZ = True

CONTRIB_APPS = [
    "expvar.contrib.cmdline",
    "expvar.contrib.resource",
    "expvar.contrib.psutil",
    "expvar.contrib.memstats",
    "expvar.contrib.http",
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
    "tests.testapps.alpha",
    "tests.testapps.beta.apps.BetaConfig",
    "tests.testapps.broken",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tests.urls"

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

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

# The suite's own variable that collides on purpose is expected; everything else must be quiet.
SILENCED_SYSTEM_CHECKS: list[str] = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    # Errors the suite provokes on purpose stay out of the output; caplog still sees them.
    "root": {"handlers": ["null"]},
}
