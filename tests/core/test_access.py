from __future__ import annotations

import base64
import json

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client, override_settings

REMOTE = "203.0.113.9"


def get(remote: str = REMOTE, **headers: str):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=remote).get("/debug/vars", headers=headers)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def allow_all(request: HttpRequest) -> bool:
    return True


def deny_all(request: HttpRequest) -> bool:
    return False


@pytest.mark.parametrize("address", ["127.0.0.1", "127.5.6.7", "::1", "::ffff:127.0.0.1"])
def test_loopback_is_allowed(address: str) -> None:
    assert get(address).status_code == 200


def test_remote_address_is_denied_with_a_json_body() -> None:
    response = get()
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["error"] == "forbidden"


def test_denied_response_leaks_no_variables() -> None:
    assert b"answer" not in get().content


def test_forged_x_forwarded_for_is_not_trusted() -> None:
    assert get(**{"X-Forwarded-For": "127.0.0.1"}).status_code == 403


@override_settings(INTERNAL_IPS=[REMOTE])
def test_internal_ips_are_allowed() -> None:
    assert get().status_code == 200


@override_settings(EXPVAR_ALLOWED_IPS=["203.0.113.0/24"])
def test_allowed_networks_are_allowed() -> None:
    assert get().status_code == 200
    assert get("198.51.100.1").status_code == 403


@override_settings(EXPVAR_ALLOWED_IPS=["2001:db8::/32"])
def test_ipv6_networks_do_not_match_ipv4_clients() -> None:
    assert get().status_code == 403
    assert get("2001:db8::5").status_code == 200


@override_settings(EXPVAR_ALLOWED_IPS=["10.0.0.0/33", "203.0.113.9"])
def test_invalid_network_entries_are_ignored_not_fatal() -> None:
    assert get().status_code == 200


def test_garbage_remote_addr_is_just_not_an_address() -> None:
    assert get("not-an-ip").status_code == 403


@pytest.mark.django_db
def test_active_staff_is_allowed() -> None:
    client = Client(REMOTE_ADDR=REMOTE)
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get("/debug/vars").status_code == 200


@pytest.mark.django_db
def test_non_staff_user_is_denied() -> None:
    client = Client(REMOTE_ADDR=REMOTE)
    client.force_login(User.objects.create_user("someone"))
    assert client.get("/debug/vars").status_code == 403


@pytest.mark.django_db
def test_inactive_staff_is_denied() -> None:
    client = Client(REMOTE_ADDR=REMOTE)
    user = User.objects.create_user("gone", is_staff=True, is_active=False)
    client.force_login(user)
    assert client.get("/debug/vars").status_code == 403


@override_settings(EXPVAR_TOKEN="s3cret-token")
def test_bearer_token_is_allowed() -> None:
    assert get(Authorization="Bearer s3cret-token").status_code == 200


@override_settings(EXPVAR_TOKEN="s3cret-token")
def test_basic_password_is_allowed_whatever_the_user() -> None:
    assert get(Authorization=basic("expvarmon", "s3cret-token")).status_code == 200


@override_settings(EXPVAR_TOKEN="s3cret-token")
@pytest.mark.parametrize(
    "header",
    [
        "Bearer wrong",
        "Bearer s3cret-token-and-more",
        "Bearer ",
        basic("user", "wrong"),
        basic("user", ""),
        basic("s3cret-token", ""),
        "Basic not-base64!",
        "Token s3cret-token",
        "s3cret-token",
    ],
)
def test_wrong_or_empty_credentials_are_denied(header: str) -> None:
    assert get(Authorization=header).status_code == 403


@pytest.mark.django_db
@override_settings(EXPVAR_TOKEN="s3cret-token")
def test_basic_credentials_that_are_not_ascii_are_only_wrong_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("ERROR", logger="expvar"):
        assert get(Authorization="Basic \u00e9").status_code == 403
    assert caplog.text == ""  # not "the access policy raised"
    client = Client(REMOTE_ADDR=REMOTE)
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get("/debug/vars", headers={"Authorization": "Basic \u00e9"}).status_code == 200


def test_without_a_configured_token_no_header_grants_access() -> None:
    assert get(Authorization=basic("user", "")).status_code == 403
    assert get(Authorization="Bearer ").status_code == 403


@override_settings(EXPVAR_TOKEN="s3cret-token")
def test_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    compared = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    get(Authorization="Bearer guess")
    assert compared == [(b"guess", b"s3cret-token")]


@override_settings(EXPVAR_ACCESS="tests.core.test_access.allow_all")
def test_access_setting_as_dotted_path_replaces_the_policy() -> None:
    assert get().status_code == 200


@override_settings(EXPVAR_ACCESS=deny_all)
def test_access_setting_as_callable_replaces_the_policy_even_for_loopback() -> None:
    assert get("127.0.0.1").status_code == 403


@override_settings(EXPVAR_ACCESS="tests.core.test_access.missing")
def test_access_setting_that_does_not_import_denies(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("ERROR", logger="expvar"):
        assert get("127.0.0.1").status_code == 403
    assert "EXPVAR_ACCESS" in caplog.text
