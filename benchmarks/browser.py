"""The admin dashboard in Chromium: first load, and main-thread time per live refresh.

``python -m benchmarks.browser``. The dashboard is served in-process (a threaded WSGI server
on 127.0.0.1 with the benchmark settings, static files included) for an in-memory superuser,
with 500 variables that move on every read plus one dict of 2,000 moving keys. Chromium is
driven through Playwright. A refresh is triggered by hand (the poll interval is an hour, so
no other refresh interferes) and costed as the Chrome DevTools Protocol's ``TaskDuration``
delta from the request to two animation frames after htmx settled the swap: every task the
main thread ran for it (parsing, swapping, the dashboard script, style, layout and paint),
but not the time spent waiting for the server.
"""

from __future__ import annotations

import itertools
import statistics
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from benchmarks.endpoint import configure
from benchmarks.timing import Timing

VARIABLES = 500
BIG_KEYS = 2000
REFRESHES = 7
DASHBOARD = "/admin/expvar/variable/"

# Resolves with the main thread's busy seconds for one refresh, from the request to two frames
# after the swap settled; ``taskDuration`` is read over CDP by the caller around it.
_WAIT_FOR_REFRESH = """() => new Promise(resolve => {
  document.addEventListener("htmx:afterSettle", () => {
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)));
  }, {once: true});
  htmx.trigger(document.getElementById("expvar-dashboard"), "expvar:refresh");
})"""


class _Moving:
    def __init__(self, seed: int) -> None:
        self.tick = itertools.count(seed)

    def number(self) -> int:
        return next(self.tick)

    def counters(self) -> dict[str, int]:
        tick = next(self.tick)
        return {f"counter{n}": tick * (n + 1) for n in range(5)}

    def big(self) -> dict[str, int]:
        tick = next(self.tick)
        return {f"key{n:04d}": tick + n for n in range(BIG_KEYS)}


def browser_registry() -> Any:
    """Return 500 moving variables over ten apps (one in five a dict), and a 2,000-key dict."""
    from benchmarks.admin import registry_of
    from expvar.registry import Declaration, Discovery, Registry

    def read(n: int) -> Callable[[], Any]:
        moving = _Moving(n)
        return moving.counters if n % 5 == 0 else moving.number

    base = registry_of(VARIABLES, read)
    first = base.layout.declarations[0]
    big = Declaration(
        name="big",
        app=first.app,
        origin=f"{first.app.name}.vars.Big",
        position=VARIABLES,
        read=_Moving(0).big,
    )
    return Registry(Discovery(apps=base.apps, declarations=(*base.layout.declarations, big)))


class _SuperuserMiddleware:
    """Serve every request as an in-memory active superuser: no database, no login."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.contrib.auth.models import User

        request.user = User(username="bench", is_active=True, is_staff=True, is_superuser=True)
        return self.get_response(request)


def _urls() -> list[Any]:
    from django.contrib import admin
    from django.urls import path

    from expvar.views import ExpVarView

    return [
        path("admin/", admin.site.urls),
        path("debug/vars", ExpVarView.as_view(), name="expvar"),
    ]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _serve() -> Iterator[str]:
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings
    from django.urls import clear_url_caches

    middleware = [m for m in settings.MIDDLEWARE if not m.endswith("AuthenticationMiddleware")] + [
        f"{__name__}._SuperuserMiddleware"
    ]
    with override_settings(
        MIDDLEWARE=middleware, ROOT_URLCONF=f"{__name__}", EXPVAR_REFRESH_INTERVAL=3600
    ):
        clear_url_caches()
        server = make_server(
            "127.0.0.1",
            0,
            StaticFilesHandler(WSGIHandler()),
            server_class=_ThreadingServer,
            handler_class=_QuietHandler,
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()
            clear_url_caches()


def _timing(label: str, samples: list[float]) -> Timing:
    ordered = sorted(samples)
    return Timing(
        label=label,
        median_s=statistics.median(ordered),
        low_s=ordered[0],
        high_s=ordered[-1],
        rounds=len(ordered),
        calls_per_round=1,
    )


def _task_duration(cdp: Any) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "TaskDuration"))


def run() -> list[Timing]:
    """Time the first load (to DOMContentLoaded) and the main thread per refresh."""
    configure()
    from playwright.sync_api import sync_playwright

    from expvar.registry import get_registry, set_registry

    # The browser tests' Chromium and flags, so the benchmark measures the browser they drive.
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    original = get_registry()
    set_registry(browser_registry())
    loads: list[float] = []
    refreshes: list[float] = []
    try:
        with _serve() as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for _ in range(3):
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.goto(base + DASHBOARD, wait_until="load")
                    loads.append(
                        page.evaluate(
                            "performance.getEntriesByType('navigation')[0]"
                            ".domContentLoadedEventEnd / 1000"
                        )
                    )
                    page.close()
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(base + DASHBOARD, wait_until="load")
                cdp = page.context.new_cdp_session(page)
                cdp.send("Performance.enable")
                page.wait_for_timeout(500)
                for _ in range(REFRESHES + 1):
                    before = _task_duration(cdp)
                    page.evaluate(_WAIT_FOR_REFRESH)
                    refreshes.append(_task_duration(cdp) - before)
                refreshes = refreshes[1:]  # the first warms the script's caches
            finally:
                browser.close()
    finally:
        set_registry(original)
    what = f"{VARIABLES} variables and a {BIG_KEYS:,}-key dict"
    return [
        _timing(f"dashboard first load to DOMContentLoaded, {what}", loads),
        _timing(f"dashboard refresh, main-thread time, {what}", refreshes),
    ]


def __getattr__(name: str) -> Any:
    # This module is the URLconf while it serves; the patterns are built once Django is set up.
    if name == "urlpatterns":
        return _urls()
    raise AttributeError(name)


if __name__ == "__main__":
    for timing in run():
        print(timing.describe())
