"""Malformed settings: reported by the checks, never a 500 and never a crash."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import reverse

from tests.load.poller import strict_loads
from tests.load.tally import Tally

pytestmark = pytest.mark.load


@override_settings(EXPVAR_TIMEOUT=10**400)
def test_a_timeout_too_large_for_a_float_still_serves(admin_user: User, tally: Tally) -> None:
    client = Client(raise_request_exception=False)
    endpoint = client.get("/debug/vars")
    client.force_login(admin_user)
    dashboard = client.get(reverse("admin:expvar_variable_changelist"))
    tally.record_polls([endpoint.status_code, dashboard.status_code])
    assert endpoint.status_code == 200
    assert strict_loads(endpoint.content)["answer"] == 42
    assert dashboard.status_code == 200


@override_settings(EXPVAR_ALLOWED_IPS=[1])
def test_an_int_among_the_allowed_ips_is_a_check_error_not_a_crash() -> None:
    with pytest.raises(SystemCheckError, match=r"expvar\.E003"):
        call_command("check")
    # A client that is not loopback is refused as usual.
    answer = Client(raise_request_exception=False, REMOTE_ADDR="203.0.113.9").get("/debug/vars")
    assert answer.status_code == 403
    assert strict_loads(answer.content)["error"] == "forbidden"


class AccessPolicyError(Exception):
    pass


def raising_policy(request: HttpRequest) -> bool:
    raise AccessPolicyError("the access policy failed")


@override_settings(EXPVAR_ACCESS=raising_policy)
def test_a_raising_access_policy_denies_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="expvar")
    answer = Client(raise_request_exception=False).get("/debug/vars")
    assert answer.status_code == 403
    assert strict_loads(answer.content)["error"] == "forbidden"
    logged = [
        r
        for r in caplog.records
        if r.name.split(".")[0] == "expvar"
        and (
            (r.exc_info and isinstance(r.exc_info[1], AccessPolicyError))
            or "the access policy failed" in r.getMessage()
        )
    ]
    assert logged, [f"{r.name}: {r.getMessage()}" for r in caplog.records]
