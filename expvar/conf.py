"""Settings, remembered until Django says one changed; validation lives in ``checks``.

Reading a setting a project has not defined costs Django a caught AttributeError each time; the
endpoint reads several per request, so each is looked up once and forgotten on
``setting_changed`` (sent by ``override_settings`` and pytest-django's ``settings`` fixture).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.core.signals import setting_changed

DEFAULT_TIMEOUT = 2.0
# Longer waits are not a monitoring poll any more, and past about 3e8 s the platform's clocks
# cannot even express them.
MAX_TIMEOUT = 3600.0
DEFAULT_REFRESH_INTERVAL = 5.0
# Past this a page would not refresh while anyone watches it; browsers' timers stop at ~24 days.
MAX_REFRESH_INTERVAL = 3600.0
DEFAULT_MAX_VALUE_BYTES = 1024 * 1024


def usable_seconds(value: Any, default: float, maximum: float) -> float:
    """Return ``value`` as seconds, at most ``maximum``; ``default`` where it is unusable.

    The system checks report an unusable value; reading it never fails.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return min(float(value), maximum)
    return default


_MISSING = object()
_remembered: dict[str, Any] = {}


def _setting(name: str, default: Any) -> Any:
    value = _remembered.get(name, _MISSING)
    if value is _MISSING:
        value = _remembered[name] = getattr(django_settings, name, default)
    return value


def _forget(**kwargs: Any) -> None:
    _remembered.clear()


setting_changed.connect(_forget, dispatch_uid="expvar.conf.forget")


class Settings:
    @property
    def SKIP(self) -> Any:
        return _setting("EXPVAR_SKIP", ())

    @property
    def TIMEOUT(self) -> Any:
        return _setting("EXPVAR_TIMEOUT", DEFAULT_TIMEOUT)

    @property
    def ALLOWED_IPS(self) -> Any:
        return _setting("EXPVAR_ALLOWED_IPS", ())

    @property
    def INTERNAL_IPS(self) -> Any:
        return _setting("INTERNAL_IPS", ())

    @property
    def TOKEN(self) -> Any:
        return _setting("EXPVAR_TOKEN", None)

    @property
    def ACCESS(self) -> Any:
        return _setting("EXPVAR_ACCESS", None)

    @property
    def STORE(self) -> Any:
        return _setting("EXPVAR_STORE", "local")

    @property
    def CMDLINE_REDACT(self) -> Any:
        return _setting("EXPVAR_CMDLINE_REDACT", True)

    @property
    def REFRESH_INTERVAL(self) -> Any:
        return _setting("EXPVAR_REFRESH_INTERVAL", DEFAULT_REFRESH_INTERVAL)

    @property
    def ADMIN(self) -> Any:
        return _setting("EXPVAR_ADMIN", True)

    @property
    def MAX_VALUE_BYTES(self) -> Any:
        return _setting("EXPVAR_MAX_VALUE_BYTES", DEFAULT_MAX_VALUE_BYTES)


settings = Settings()
