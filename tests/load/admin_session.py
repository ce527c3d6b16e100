"""A browser's session with the admin of a real server: log in through the form, keep cookies."""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from tests.load.poller import LOOPBACK, Answer

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class AdminSession:
    def __init__(self, base: str) -> None:
        assert base.startswith(LOOPBACK), base
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self._open(urllib.request.Request(self.base + path, headers=headers or {}))

    def log_in(self, username: str, password: str) -> Answer:
        """Log in through the admin's login form; return the page it sends the user on to."""
        form = self.get("/admin/login/")
        token = TOKEN.search(form.body)
        if form.status != 200 or token is None:
            raise AssertionError(f"no login form: {form.status} {form.body[:200]!r}")
        data = urllib.parse.urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token.group(1).decode(),
                "next": "/admin/",
            }
        ).encode()
        return self._open(urllib.request.Request(f"{self.base}/admin/login/", data=data))

    def _open(self, request: urllib.request.Request) -> Answer:
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        return Answer(status, body, time.monotonic() - started, finished=time.monotonic())
