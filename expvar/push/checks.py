"""System checks for ``EXPVAR_STORE`` (expvar.E030 to expvar.E039)."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, register

from expvar.conf import settings
from expvar.push.config import CACHE, parse
from expvar.push.stores.backends import Backend, classify


@register()
def check_store(**kwargs: Any) -> list[CheckMessage]:
    config, issues = parse(settings.STORE)
    messages: list[CheckMessage] = [
        Error(issue.message, hint=issue.hint, id=issue.id) for issue in issues
    ]
    if config is None or config.backend != CACHE:
        return messages
    caches = getattr(django_settings, "CACHES", {})
    params = caches.get(config.alias) if isinstance(caches, dict) else None
    if not isinstance(params, dict):
        return [
            Error(
                f'EXPVAR_STORE["ALIAS"] is {config.alias!r}, which is not in CACHES.',
                hint=(
                    f"Add CACHES[{config.alias!r}] pointing at the Redis or Memcached server "
                    "every process shares, or name an existing alias."
                ),
                id="expvar.E033",
            )
        ]
    path = str(params.get("BACKEND", ""))
    backend = classify(path)
    if not isinstance(backend, Backend):
        return [
            Error(
                f"CACHES[{config.alias!r}] uses {path}, which {backend}; push variables cannot "
                "be shared through it.",
                hint=(
                    "Point the alias at django.core.cache.backends.redis.RedisCache (or a "
                    'Memcached backend), or set EXPVAR_STORE = "local" to count per process.'
                ),
                id="expvar.E034",
            )
        ]
    return messages
