"""What each process of the multi-process test runs (imported by spawned interpreters)."""

from __future__ import annotations


def hammer(redis_url: str, prefix: str, adds: int) -> None:
    """Add to one Int and one Float ``adds`` times, then exit: the exit flush writes them."""
    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["expvar"],
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "expvar": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            },
        },
        EXPVAR_STORE={
            "BACKEND": "cache",
            "ALIAS": "expvar",
            "KEY_PREFIX": prefix,
            "FLUSH_INTERVAL": 0.05,
        },
    )
    django.setup()
    import expvar

    hits = expvar.Int("hits")
    seconds = expvar.Float("seconds")
    for _ in range(adds):
        hits.add(1)
        seconds.add(0.1)
