"""Build registries in tests without installing apps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from expvar.registry import AppSource, Declaration, Discovery, Registry

APPS = {
    label: AppSource(label=label, name=f"tests.{label}", verbose_name=label.title(), index=index)
    for index, label in enumerate(("first", "second", "third"))
}


def declare(
    name: str,
    read: Callable[[], Any] | Any,
    *,
    app: str = "first",
    position: int = 0,
    cache_ttl: float | None = None,
) -> Declaration:
    source = APPS[app]
    reader = read if callable(read) else (lambda: read)
    return Declaration(
        name=name,
        app=source,
        origin=f"{source.name}.vars.{name.title().replace('_', '')}{position}",
        read=reader,
        cache_ttl=cache_ttl,
        position=position,
    )


def registry_of(*declarations: Declaration) -> Registry:
    return Registry(Discovery(apps=tuple(APPS.values()), declarations=declarations))


def noting_thread(name: str, threads: dict[str, str]) -> Callable[[], str]:
    """A value() that returns ``name`` and notes in ``threads`` which thread read it."""

    def read() -> str:
        threads[name] = threading.current_thread().name
        return name

    return read
