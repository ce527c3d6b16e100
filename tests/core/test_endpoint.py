from __future__ import annotations

import json
import re

import pytest
from django.test import Client, override_settings

from tests.factories import declare, registry_of

GO_ENTRY = re.compile(r'^(?P<name>"(?:[^"\\]|\\.)*"): (?P<value>.*)$')


def go_entries(body: str) -> list[tuple[str, str]]:
    """Split a body laid out as Go's expvar handler lays it out; fail on any other layout."""
    assert body.startswith("{\n")
    assert body.endswith("\n}\n")
    inner = body[2:-3]
    entries = []
    for line in inner.split(",\n"):
        match = GO_ENTRY.match(line)
        assert match, f"not a Go expvar entry: {line!r}"
        entries.append((json.loads(match["name"]), match["value"]))
    return entries


def test_body_is_laid_out_as_go_lays_it_out(client: Client) -> None:
    body = client.get("/debug/vars").content.decode()
    entries = go_entries(body)
    names = [name for name, _ in entries]
    assert names == sorted(names)
    for _, value in entries:
        assert "\n" not in value
        assert json.dumps(json.loads(value), separators=(",", ":"), ensure_ascii=False) == value


def test_layout_checker_accepts_gos_own_body() -> None:
    body = '{\n"cmdline": ["./goref"],\n"db": {"queries": 7},\n"requests": 3\n}\n'
    assert [name for name, _ in go_entries(body)] == ["cmdline", "db", "requests"]


def test_body_is_strict_json(client: Client) -> None:
    def reject(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token}")

    json.loads(client.get("/debug/vars").content, parse_constant=reject)


def test_get_serves_json_with_go_content_type(client: Client) -> None:
    response = client.get("/debug/vars")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["answer"] == 42


def test_head_answers_like_get_without_body(client: Client) -> None:
    response = client.head("/debug/vars")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == b""


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_other_methods_are_not_allowed(client: Client, method: str) -> None:
    response = getattr(client, method)("/debug/vars")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_every_answer_carries_the_headers_never_cache_sets(client: Client) -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.views.decorators.cache import never_cache

    expected = never_cache(lambda request: HttpResponse())(RequestFactory().get("/"))
    answers = [
        client.get("/debug/vars"),
        client.post("/debug/vars"),
        client.get("/debug/vars", REMOTE_ADDR="203.0.113.9"),
    ]
    assert [answer.status_code for answer in answers] == [200, 405, 403]
    for answer in answers:
        assert answer["Cache-Control"] == expected["Cache-Control"]
        assert answer["Expires"]


def test_the_0_2_era_url_still_works(client: Client, use_registry) -> None:
    use_registry(registry_of(declare("answer", 42)))
    assert client.get("/legacy/debug/vars").content == b'{\n"answer": 42\n}\n'


def test_url_name_is_expvar() -> None:
    from django.urls import reverse

    assert reverse("expvar") == "/debug/vars"


def test_0_2_imports_still_work() -> None:
    import expvar
    from expvar.views import ExpVarView

    assert issubclass(expvar.ExpVar, object)
    assert callable(ExpVarView.as_view())


def test_works_under_login_required_middleware(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
    ]
    assert Client().get("/debug/vars").status_code == 200


def test_one_broken_variable_does_not_break_the_response(client: Client, use_registry) -> None:  # type: ignore[no-untyped-def]
    def boom() -> int:
        raise ZeroDivisionError("division by zero")

    use_registry(
        registry_of(
            declare("fine", 1),
            declare("raises", boom, position=1),
            declare("garbage", object, position=2),
            declare("nan", float("nan"), position=3),
        )
    )
    response = client.get("/debug/vars")
    assert response.status_code == 200
    assert json.loads(response.content) == {"fine": 1, "nan": None}


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_hung_variable_does_not_hang_the_endpoint(client: Client, use_registry) -> None:  # type: ignore[no-untyped-def]
    import threading

    release = threading.Event()
    use_registry(
        registry_of(declare("stuck", lambda: release.wait(30)), declare("ok", 1, position=1))
    )
    try:
        response = client.get("/debug/vars")
        assert json.loads(response.content) == {"ok": 1}
    finally:
        release.set()


def test_values_with_html_are_escaped_like_go(client: Client, use_registry) -> None:  # type: ignore[no-untyped-def]
    use_registry(registry_of(declare("x", "<script>alert(1)</script>")))
    body = client.get("/debug/vars").content.decode()
    assert "<script>" not in body
    assert json.loads(body) == {"x": "<script>alert(1)</script>"}


def test_no_variables_serves_an_empty_object(client: Client, use_registry) -> None:  # type: ignore[no-untyped-def]
    use_registry(registry_of())
    assert client.get("/debug/vars").content == b"{\n\n}\n"


@pytest.mark.parametrize(
    "bad_settings",
    [
        {"EXPVAR_TIMEOUT": -1},
        {"EXPVAR_TIMEOUT": float("inf")},
        {"EXPVAR_TIMEOUT": 1e12},
        {"EXPVAR_ALLOWED_IPS": ["10.0.0.0/33"]},
        {"EXPVAR_ALLOWED_IPS": "10.0.0.0/8"},
        {"EXPVAR_SKIP": "app"},
        {"EXPVAR_MAX_VALUE_BYTES": "big"},
        {"EXPVAR_TOKEN": ""},
    ],
)
def test_malformed_settings_do_not_stop_the_endpoint(client: Client, bad_settings) -> None:  # type: ignore[no-untyped-def]
    with override_settings(**bad_settings):
        response = client.get("/debug/vars")
    assert response.status_code == 200
    assert json.loads(response.content)["answer"] == 42


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_get_405_even_when_csrf_is_enforced(method: str) -> None:
    response = getattr(Client(enforce_csrf_checks=True), method)("/debug/vars")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
