"""The admin dashboard's refresh partial: time to render it, and bytes sent per refresh.

``python -m benchmarks.admin``. The partial is rendered as the refresh view renders it (one
``resolve()``, the view-model, the fragments and any registered panels), for a request that
has already passed the admin's login and permission checks, so middleware is not counted.
The view gzips the partial for browsers that accept it; both sizes are given.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.endpoint import configure
from benchmarks.timing import Timing, measure
from expvar.registry import AppSource, Declaration, Discovery, Registry

SIZES = (100, 500)
APPS = 10


@dataclass(frozen=True)
class Payload:
    raw: int
    gzipped: int

    def describe(self) -> str:
        return (
            f"{self.raw / 1024:.1f} KiB per refresh, {self.gzipped / 1024:.1f} KiB as sent gzipped"
        )


class _Counters:
    """A dict of five counters that move on every read, like a typical contrib variable."""

    def __init__(self, seed: int) -> None:
        self.tick = seed

    def value(self) -> dict[str, int]:
        self.tick += 1
        return {f"counter{n}": self.tick * (n + 1) for n in range(5)}


def registry_of(count: int, read: Callable[[int], Callable[[], Any]]) -> Registry:
    """Return ``count`` variables over ten apps, the ``n``-th read by ``read(n)``."""
    apps = tuple(
        AppSource(
            label=f"app{n:02d}", name=f"benchmarks.app{n:02d}", verbose_name=f"App {n:02d}", index=n
        )
        for n in range(APPS)
    )
    declarations = tuple(
        Declaration(
            name=f"{apps[n % APPS].label}_var{n:05d}",
            app=apps[n % APPS],
            origin=f"{apps[n % APPS].name}.vars.Var{n:05d}",
            position=n // APPS,
            read=read(n),
        )
        for n in range(count)
    )
    return Registry(Discovery(apps=apps, declarations=declarations))


def _constant(n: int) -> Callable[[], int]:
    return lambda: n


def trivial_registry(count: int) -> Registry:
    """Return ``count`` variables returning small ints."""
    return registry_of(count, _constant)


def dict_registry(count: int) -> Registry:
    """Return ``count`` variables, each a dict of moving counters."""
    return registry_of(count, lambda n: _Counters(n).value)


def run() -> list[Timing]:
    """Time the partial for 100 and 500 variables; the labels carry the bytes per refresh."""
    configure()
    from django.contrib import admin
    from django.contrib.auth.models import User
    from django.test import RequestFactory

    from expvar.admin import VariableAdmin
    from expvar.models import Variable
    from expvar.registry import get_registry, set_registry

    model_admin = VariableAdmin(Variable, admin.site)
    request = RequestFactory().get(
        "/admin/expvar/variable/refresh/", headers={"HX-Request": "true"}
    )
    # An unsaved active superuser: has_perm() answers without the database.
    request.user = User(username="bench", is_active=True, is_staff=True, is_superuser=True)

    cases = [(f"{size} variables", trivial_registry(size)) for size in SIZES]
    cases.append((f"{SIZES[-1]} dict variables", dict_registry(SIZES[-1])))
    original = get_registry()
    timings = []
    try:
        for label, registry in cases:
            set_registry(registry)
            body = model_admin.refresh_view(request).content
            payload = Payload(len(body), len(gzip.compress(body)))
            timings.append(
                measure(
                    f"admin partial, {label} ({payload.describe()})",
                    lambda: model_admin.refresh_view(request),
                    rounds=9,
                )
            )
    finally:
        set_registry(original)
    return timings


def main() -> int:
    for timing in run():
        print(timing.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
