from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import CheckMessage
from django.test import override_settings

from expvar.checks import check_declarations, check_settings


def ids(messages: list[CheckMessage]) -> list[str]:
    return [m.id for m in messages if m.id]


def run_with(**settings: Any) -> list[CheckMessage]:
    with override_settings(**settings):
        return check_settings()


def test_defaults_are_clean() -> None:
    assert check_settings() == []


def test_skip_as_a_string_is_an_error_with_the_fix() -> None:
    [message] = run_with(EXPVAR_SKIP="app")
    assert message.id == "expvar.E001"
    assert "not 'app'" in message.msg
    assert "EXPVAR_SKIP = ['app']" in (message.hint or "")


def test_skip_naming_no_app_is_a_warning() -> None:
    [message] = run_with(EXPVAR_SKIP=["alpah"])
    assert message.id == "expvar.W004"
    assert "'alpah'" in message.msg


def test_skip_by_label_or_name_is_clean() -> None:
    assert run_with(EXPVAR_SKIP=["beta", "tests.testapps.alpha"]) == []


@pytest.mark.parametrize("value", [-1, 0, "2", True])
def test_timeout_must_be_positive(value: Any) -> None:
    [message] = run_with(EXPVAR_TIMEOUT=value)
    assert message.id == "expvar.E002"
    assert repr(value) in message.msg


@pytest.mark.parametrize("value", [float("inf"), 1e12, 3601])
def test_timeout_has_a_ceiling(value: Any) -> None:
    [message] = run_with(EXPVAR_TIMEOUT=value)
    assert message.id == "expvar.E002"
    assert "at most 3600 seconds" in message.msg


def test_timeout_none_is_allowed() -> None:
    assert run_with(EXPVAR_TIMEOUT=None) == []


def test_invalid_cidr_is_an_error() -> None:
    [message] = run_with(EXPVAR_ALLOWED_IPS=["10.0.0.0/33"])
    assert message.id == "expvar.E003"
    assert "'10.0.0.0/33'" in message.msg


def test_allowed_ips_as_a_string_is_an_error() -> None:
    assert ids(run_with(EXPVAR_ALLOWED_IPS="10.0.0.0/8")) == ["expvar.E003"]


def test_valid_addresses_and_networks_are_clean() -> None:
    assert run_with(EXPVAR_ALLOWED_IPS=["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]) == []


@pytest.mark.parametrize("value", ["", "   ", 123])
def test_token_must_be_a_non_empty_string(value: Any) -> None:
    assert ids(run_with(EXPVAR_TOKEN=value)) == ["expvar.E004"]


def test_access_path_that_does_not_import_is_an_error() -> None:
    [message] = run_with(EXPVAR_ACCESS="nowhere.policy")
    assert message.id == "expvar.E005"
    assert "denied" in message.msg


def test_access_that_is_not_callable_is_an_error() -> None:
    assert ids(run_with(EXPVAR_ACCESS=42)) == ["expvar.E005"]


def test_access_path_to_a_callable_is_clean() -> None:
    assert run_with(EXPVAR_ACCESS="tests.core.test_access.allow_all") == []


def test_refresh_interval_must_be_positive() -> None:
    assert ids(run_with(EXPVAR_REFRESH_INTERVAL=0)) == ["expvar.E006"]
    assert ids(run_with(EXPVAR_REFRESH_INTERVAL=float("inf"))) == ["expvar.E006"]


def test_admin_must_be_boolean() -> None:
    assert ids(run_with(EXPVAR_ADMIN="no")) == ["expvar.E007"]


@pytest.mark.parametrize("value", [0, -5, 1.5, "1MB"])
def test_max_value_bytes_must_be_a_positive_int(value: Any) -> None:
    assert ids(run_with(EXPVAR_MAX_VALUE_BYTES=value)) == ["expvar.E008"]


def test_duplicate_names_warn_naming_apps_and_classes() -> None:
    warnings = [m for m in check_declarations() if m.id == "expvar.W001"]
    messages = {m.msg.split("'")[1]: m.msg for m in warnings}
    assert set(messages) >= {"inventory", "version"}
    assert "tests.testapps.alpha.vars.Version (app 'alpha')" in messages["version"]
    assert "tests.testapps.beta.vars.Version (app 'beta')" in messages["version"]


def test_failed_vars_import_warns_with_app_and_exception() -> None:
    [message] = [m for m in check_declarations() if m.id == "expvar.W002"]
    assert "tests.testapps.broken.vars (app 'broken')" in message.msg
    assert "SyntaxError" in message.msg


def test_nameless_class_warns() -> None:
    [message] = [m for m in check_declarations() if m.id == "expvar.W003"]
    assert "Nameless has no name" in message.msg
