"""The admin dashboard's refresh partial: time to render it, and bytes sent per refresh.

``python -m benchmarks.admin``. The partial is rendered as the refresh view renders it (one
``resolve()``, the view-model, the fragments and any registered panels), for a request that
has already passed the admin's login and permission checks, so middleware is not counted.
The view gzips the partial for browsers that accept it; both sizes are given.
"""

from __future__ import annotations

import gzip
import sys
from dataclasses import dataclass

from benchmarks.endpoint import configure, trivial_registry
from benchmarks.timing import Timing, measure
from expvar.registry import Declaration, Registry

SIZES = (100, 500)


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


def dict_registry(count: int) -> Registry:
    """Return ``count`` variables like ``trivial_registry``'s, each a dict of moving counters."""
    base = trivial_registry(count)
    declarations = [
        Declaration(
            name=d.name,
            app=d.app,
            origin=d.origin,
            position=d.position,
            read=_Counters(index).value,
        )
        for index, d in enumerate(base.declarations)
    ]
    return Registry(declarations=declarations, apps=base.apps)


def run() -> list[Timing]:
    """Time the partial for 100 and 500 variables; the labels carry the bytes per refresh."""
    configure()
    from django.contrib import admin
    from django.contrib.auth.models import User
    from django.test import RequestFactory

    from expvar.admin import VariableAdmin
    from expvar.dashboard import views
    from expvar.registry import get_registry, set_registry
    from expvar.models import Variable

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
            body = views.refresh(request, model_admin).content
            payload = Payload(len(body), len(gzip.compress(body)))
            timings.append(
                measure(
                    f"admin partial, {label} ({payload.describe()})",
                    lambda: views.refresh(request, model_admin),
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
