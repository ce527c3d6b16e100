"""Regenerate docs/img/dashboard.png (light), dashboard-dark.png (dark), dashboard-phone.png.

With no ``--url`` the script runs the demo itself: a fresh SQLite database in a temporary
folder, ``migrate``, ``demo_admin`` (the demo's admin user), then ``runserver`` on 127.0.0.1
on a free port, stopped again at the end. With ``--url`` it photographs a site already running
there, logging in with ``--user`` and ``--password``.

    python scripts/screenshot_dashboard.py
    python scripts/screenshot_dashboard.py --url http://127.0.0.1:8000 --user admin --password x
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo"
OUT = ROOT / "docs" / "img"
DASHBOARD = "/admin/expvar/variable/"
CHROMIUM = os.environ.get("EXPVAR_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The demo's admin user, as demo/demo_site/management/commands/demo_admin.py creates it.
DEMO_USER = os.environ.get("DEMO_ADMIN_USER", "admin")
DEMO_PASSWORD = os.environ.get("DEMO_ADMIN_PASSWORD", "expvar-demo")
VIEWPORT: ViewportSize = {"width": 1440, "height": 1200}
PHONE: ViewportSize = {"width": 390, "height": 844}
SHOTS: tuple[tuple[Literal["light", "dark"], str, ViewportSize], ...] = (
    ("light", "dashboard.png", VIEWPORT),
    ("dark", "dashboard-dark.png", VIEWPORT),
    ("light", "dashboard-phone.png", PHONE),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running site (default: start the demo)")
    parser.add_argument("--user", default=DEMO_USER)
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files")
    parser.add_argument(
        "--settle", type=float, default=12.0, help="seconds of live refreshes before each shot"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        base = args.url.rstrip("/") if args.url else stack.enter_context(demo_server())
        shoot(base, args.user, args.password, args.out, args.settle)
    return 0


@contextlib.contextmanager
def demo_server() -> Iterator[str]:
    """Run the demo on 127.0.0.1 with a throwaway database; yield its base URL."""
    with tempfile.TemporaryDirectory(prefix="expvar-demo-") as folder:
        env = {**os.environ, "DEMO_DB": str(Path(folder) / "db.sqlite3"), "DEMO_DEBUG": "0"}
        manage = [sys.executable, str(DEMO / "manage.py")]
        for command in (["migrate", "--noinput", "-v", "0"], ["demo_admin"]):
            subprocess.run([*manage, *command], cwd=DEMO, env=env, check=True)
        port = _free_port()
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
            cwd=DEMO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(f"{base}/admin/login/", server)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the demo server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"the demo server did not answer at {url} within {timeout:.0f}s")


def shoot(base: str, user: str, password: str, out: Path, settle: float) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for scheme, name, viewport in SHOTS:
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                page = context.new_page()
                _log_in(page, base, user, password)
                _settle(page, settle)
                page.screenshot(path=str(out / name))
                context.close()
                print(f"wrote {out / name}")
        finally:
            browser.close()


def _log_in(page: Any, base: str, user: str, password: str) -> None:
    page.goto(f"{base}/admin/login/?next={DASHBOARD}")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}{DASHBOARD}")


def _settle(page: Any, seconds: float) -> None:
    # Let a few refreshes draw the sparklines and runtime charts; then shoot just after the
    # next one, once its changed-value highlight has faded, with the mouse out of the way.
    page.wait_for_timeout(seconds * 1000)
    page.mouse.move(0, 0)
    page.evaluate(
        """() => new Promise(resolve => document.getElementById("expvar-dashboard")
            .addEventListener("htmx:afterSettle", resolve, {once: true}))"""
    )
    page.wait_for_timeout(1000)


if __name__ == "__main__":
    sys.exit(main())
