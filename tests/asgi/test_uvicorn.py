"""The endpoints, async variables and the dashboard partial under a real ASGI server."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.asgi.conftest import PASSWORD, Server
from tests.load.admin_session import AdminSession
from tests.load.poller import fetch, fetch_json, strict_loads

pytestmark = pytest.mark.asgi

TIMEOUT = 0.5  # EXPVAR_TIMEOUT in tests.asgi.settings
MARGIN = 1.0  # a loaded 2-core machine; a hung variable must still not cost its full hang
POLLERS = 16
POLLS_EACH = 8


def poll(server: Server) -> tuple[int | None, float, dict[str, object]]:
    answer = fetch(f"{server.base}/debug/vars", timeout=5)
    body = strict_loads(answer.body) if answer.status == 200 else {}
    return answer.status, answer.seconds, body


def settled(server: Server, threads: int, seconds: float = 10.0) -> dict[str, int]:
    """The server's census once its threads are down to ``threads`` (or after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        census: dict[str, int] = fetch_json(f"{server.base}/census")
        if census["threads"] <= threads or time.monotonic() > deadline:
            return census
        time.sleep(0.2)


def test_async_values_are_served_and_failing_ones_left_out(uvicorn: Server) -> None:
    status, seconds, body = poll(uvicorn)
    assert status == 200
    assert body["async_answer"] == 42
    assert body["answer"] == 42  # a synchronous variable of the same site
    assert "async_hung" not in body
    assert "async_raises" not in body
    assert seconds < TIMEOUT + MARGIN


def test_concurrent_polls_while_a_variable_hangs_answer_in_time_and_leave_nothing_behind(
    uvicorn: Server,
) -> None:
    poll(uvicorn)  # the hung variable's one call is under way from here on
    before = settled(uvicorn, threads=0, seconds=5)
    with ThreadPoolExecutor(POLLERS) as clients:
        answers = list(clients.map(lambda _: poll(uvicorn), range(POLLERS * POLLS_EACH)))
    assert [status for status, _, _ in answers] == [200] * len(answers)
    assert max(seconds for _, seconds, _ in answers) < TIMEOUT + MARGIN
    assert all(body["async_answer"] == 42 and "async_hung" not in body for *_, body in answers)
    after = settled(uvicorn, threads=before["threads"])
    assert after["threads"] <= before["threads"]
    assert after["tasks"] <= before["tasks"]
    assert uvicorn.hung_calls() == 1


def test_answers_are_never_cached(uvicorn: Server) -> None:
    answer = fetch(f"{uvicorn.base}/debug/vars", timeout=5)
    assert "no-store" in answer.headers["Cache-Control"]
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"


def test_other_methods_are_refused_with_allow(uvicorn: Server) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{uvicorn.base}/debug/vars", data=b"", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    refused.value.close()
    assert refused.value.code == 405
    assert refused.value.headers["Allow"] == "GET, HEAD"


def test_the_dashboard_lists_async_variables(uvicorn: Server) -> None:
    session = AdminSession(uvicorn.base)
    assert session.log_in("admin", PASSWORD).status == 200
    page = session.get("/admin/expvar/variable/")
    assert page.status == 200
    assert b'data-expvar-name="async_answer"' in page.body


def test_the_dashboard_partial_shows_the_async_failure(uvicorn: Server) -> None:
    session = AdminSession(uvicorn.base)
    assert session.log_in("admin", PASSWORD).status == 200
    answer = session.get("/admin/expvar/variable/refresh/", headers={"HX-Request": "true"})
    assert answer.status == 200
    assert b"LookupError: the async service is down" in answer.body
