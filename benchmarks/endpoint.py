"""``/debug/vars`` with N trivial variables against a bare view serving the same bytes.

Both are called in-process through one ``WSGIHandler`` with identical environs, so they pay the
same handler and middleware; what separates them is the endpoint's own work.
"""

from __future__ import annotations

import io
import itertools
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from benchmarks.timing import Timing, measure
from expvar.registry import AppSource, Declaration, Discovery, Registry, get_registry, set_registry
from expvar.variables import ExpVar

SETTINGS_MODULE = "benchmarks.settings"
ASGI_SETTINGS_MODULE = "benchmarks.asgi_settings"
SIZES = (10, 100, 1_000, 10_000)
APP_COUNT = 50
ENDPOINT_PATH = "/debug/vars"
FLOOR_PATH = "/floor"
# Growth from one size to the next counts as super-linear when the marginal cost of a variable
# rises by more than this factor: timing noise alone stays well inside it.
SUPER_LINEAR_FACTOR = 1.3

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def configure(settings_module: str = SETTINGS_MODULE) -> None:
    """Set up Django with the benchmark settings, once per process."""
    import django
    from django.apps import apps

    if apps.ready:
        return
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    django.setup(set_prefix=False)


class Trivial(ExpVar):
    def __init__(self, number: int) -> None:
        self.number = number

    def value(self) -> int:
        return self.number


def trivial_registry(count: int, app_count: int = APP_COUNT) -> Registry:
    """Return a registry of ``count`` pull variables returning small ints, over ``app_count`` apps.

    Each is a real ``ExpVar`` instance read through its bound ``value`` method, as discovery
    would declare it, so the per-variable cost includes one Python-level call, as in real use.
    """
    apps = [
        AppSource(
            label=f"app{index:02d}",
            name=f"benchmarks.app{index:02d}",
            verbose_name=f"App {index:02d}",
            index=index,
        )
        for index in range(app_count)
    ]
    declarations = []
    for number in range(count):
        app = apps[number % app_count]
        declarations.append(
            Declaration(
                name=f"{app.label}_var{number:05d}",
                app=app,
                origin=f"{app.name}.vars.Var{number:05d}",
                position=number // app_count,
                read=Trivial(number).value,
            )
        )
    return Registry(Discovery(apps=tuple(apps), declarations=tuple(declarations)))


class WsgiCall:
    """One GET of ``path`` through a WSGI application, with a minimal loopback environ."""

    def __init__(self, app: WsgiApp, path: str) -> None:
        self.app = app
        self.environ: dict[str, Any] = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        self.status = ""

    def _start_response(self, status: str, headers: list[tuple[str, str]], *exc: Any) -> None:
        self.status = status

    def __call__(self) -> bytes:
        environ = dict(self.environ)
        environ["wsgi.input"] = io.BytesIO()
        result = self.app(environ, self._start_response)
        try:
            return b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


@dataclass(frozen=True)
class SizeResult:
    count: int
    endpoint: Timing
    floor: Timing
    body_bytes: int

    @property
    def ratio(self) -> float:
        """The endpoint's throughput as a fraction of the floor's."""
        return self.floor.median_s / self.endpoint.median_s

    @property
    def cost_s(self) -> float:
        """What the endpoint adds to the floor, per request."""
        return self.endpoint.median_s - self.floor.median_s

    @property
    def cost_per_variable_s(self) -> float:
        return self.cost_s / self.count


@dataclass(frozen=True)
class Step:
    """The cost of one more variable, between two registry sizes."""

    low: int
    high: int
    per_variable_s: float


@dataclass(frozen=True)
class EndpointResult:
    sizes: list[SizeResult]

    def size(self, count: int) -> SizeResult | None:
        return next((result for result in self.sizes if result.count == count), None)

    @property
    def steps(self) -> list[Step]:
        return [
            Step(low.count, high.count, (high.cost_s - low.cost_s) / (high.count - low.count))
            for low, high in itertools.pairwise(self.sizes)
        ]

    @property
    def per_variable_s(self) -> float:
        """The marginal cost of a variable over the largest step, where fixed costs cancel."""
        return self.steps[-1].per_variable_s

    @property
    def fixed_s(self) -> float:
        """The endpoint's cost with no variables, extrapolated from the smallest registry."""
        smallest = self.sizes[0]
        return smallest.cost_s - smallest.count * self.per_variable_s

    @property
    def super_linear_steps(self) -> list[Step]:
        steps = self.steps
        return [
            later
            for earlier, later in itertools.pairwise(steps)
            if later.per_variable_s > SUPER_LINEAR_FACTOR * max(earlier.per_variable_s, 0.0)
        ]


def install(count: int) -> bytes:
    """Serve a registry of ``count`` trivial variables; make the floor serve its exact body."""
    # Imported once Django is set up: the URLconf imports the views.
    from benchmarks.urls import set_floor_body
    from expvar.resolution import resolve

    set_registry(trivial_registry(count))
    body = resolve().body().encode()
    set_floor_body(body)
    return body


def wsgi_application() -> WsgiApp:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def serving_app(count: int) -> WsgiApp:
    """Return the benchmark project with ``count`` trivial variables, for a real server.

    gunicorn loads it as ``benchmarks.endpoint:serving_app(100)``.
    """
    configure()
    install(count)
    return wsgi_application()


def serving_asgi_app(count: int) -> Any:
    """The same project for an ASGI server: ``/debug/vars`` and the bare view are async views."""
    from django.core.asgi import get_asgi_application

    configure(ASGI_SETTINGS_MODULE)
    install(count)
    return get_asgi_application()


def _checked_pair(app: WsgiApp, body: bytes) -> tuple[WsgiCall, WsgiCall]:
    endpoint = WsgiCall(app, ENDPOINT_PATH)
    floor = WsgiCall(app, FLOOR_PATH)
    for call in (endpoint, floor):
        served = call()
        if not call.status.startswith("200") or served != body:
            raise RuntimeError(
                f"GET {call.environ['PATH_INFO']} answered {call.status!r} with "
                f"{len(served)} bytes; expected 200 with the same {len(body)} bytes"
            )
    return endpoint, floor


def _size(app: WsgiApp, count: int) -> SizeResult:
    body = install(count)
    endpoint, floor = _checked_pair(app, body)
    return SizeResult(
        count=count,
        endpoint=measure(f"/debug/vars, {count:,} variables", endpoint),
        floor=measure(f"bare view, same {len(body):,} bytes", floor),
        body_bytes=len(body),
    )


def run(sizes: Iterable[int] = SIZES) -> EndpointResult:
    """Time the endpoint and its floor for each registry size, then restore the registry."""
    configure()
    original = get_registry()
    app = wsgi_application()
    try:
        return EndpointResult([_size(app, count) for count in sizes])
    finally:
        set_registry(original)
