"""Settings, read live so that ``override_settings`` works; validation lives in ``checks``."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings

DEFAULT_TIMEOUT = 2.0
DEFAULT_REFRESH_INTERVAL = 5.0
DEFAULT_MAX_VALUE_BYTES = 1024 * 1024


class Settings:
    @property
    def SKIP(self) -> Any:
        return getattr(django_settings, "EXPVAR_SKIP", ())

    @property
    def TIMEOUT(self) -> Any:
        return getattr(django_settings, "EXPVAR_TIMEOUT", DEFAULT_TIMEOUT)

    @property
    def ALLOWED_IPS(self) -> Any:
        return getattr(django_settings, "EXPVAR_ALLOWED_IPS", ())

    @property
    def INTERNAL_IPS(self) -> Any:
        return getattr(django_settings, "INTERNAL_IPS", ())

    @property
    def TOKEN(self) -> Any:
        return getattr(django_settings, "EXPVAR_TOKEN", None)

    @property
    def ACCESS(self) -> Any:
        return getattr(django_settings, "EXPVAR_ACCESS", None)

    @property
    def STORE(self) -> Any:
        return getattr(django_settings, "EXPVAR_STORE", "local")

    @property
    def CMDLINE_REDACT(self) -> Any:
        return getattr(django_settings, "EXPVAR_CMDLINE_REDACT", True)

    @property
    def REFRESH_INTERVAL(self) -> Any:
        return getattr(django_settings, "EXPVAR_REFRESH_INTERVAL", DEFAULT_REFRESH_INTERVAL)

    @property
    def ADMIN(self) -> Any:
        return getattr(django_settings, "EXPVAR_ADMIN", True)

    @property
    def MAX_VALUE_BYTES(self) -> Any:
        return getattr(django_settings, "EXPVAR_MAX_VALUE_BYTES", DEFAULT_MAX_VALUE_BYTES)


settings = Settings()
