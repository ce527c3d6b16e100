from __future__ import annotations

import sys
from unittest.mock import patch

import pytest
from django.test import override_settings

from expvar.contrib.cmdline.redact import REDACTED
from expvar.contrib.cmdline.vars import Cmdline


def redact(*argv: str, setting: object = True) -> list[str]:
    """Return ``cmdline`` after the interpreter, for a process started with ``argv``."""
    with override_settings(EXPVAR_CMDLINE_REDACT=setting), patch.object(sys, "argv", list(argv)):
        return Cmdline().value()[1:]


def test_option_equals_value_is_redacted() -> None:
    assert redact("--db-password=hunter2") == [f"--db-password={REDACTED}"]


def test_option_followed_by_value_is_redacted() -> None:
    assert redact("--token", "abc", "runserver") == ["--token", REDACTED, "runserver"]


def test_single_dash_option_is_redacted() -> None:
    assert redact("-secret=abc") == [f"-secret={REDACTED}"]


def test_environment_style_assignment_is_redacted() -> None:
    assert redact("DJANGO_SECRET_KEY=abc") == [f"DJANGO_SECRET_KEY={REDACTED}"]


def test_assignment_inside_an_option_value_is_redacted() -> None:
    assert redact("--env=DB_PASSWORD=zz", "--env", "API_TOKEN=yy") == [
        f"--env=DB_PASSWORD={REDACTED}",
        "--env",
        f"API_TOKEN={REDACTED}",
    ]


def test_harmless_assignment_inside_an_option_value_is_kept() -> None:
    assert redact("--env=DJANGO_SETTINGS_MODULE=site.settings") == [
        "--env=DJANGO_SETTINGS_MODULE=site.settings"
    ]


def test_url_password_in_an_assignment_inside_an_option_is_redacted() -> None:
    assert redact("--env=DATABASE_URL=postgres://u:pw@h/db") == [
        f"--env=DATABASE_URL=postgres://u:{REDACTED}@h/db"
    ]


def test_option_names_match_case_insensitively() -> None:
    assert redact("--API-KEY=abc") == [f"--API-KEY={REDACTED}"]


@pytest.mark.parametrize(
    "name", ["password", "passwd", "pass", "pwd", "secret", "token", "key", "credentials", "auth"]
)
def test_default_secret_names(name: str) -> None:
    assert redact(f"--{name}=abc") == [f"--{name}={REDACTED}"]


def test_harmless_options_are_kept() -> None:
    assert redact("--settings=site.settings", "--bind", "0.0.0.0:8000") == [
        "--settings=site.settings",
        "--bind",
        "0.0.0.0:8000",
    ]


def test_secret_flag_does_not_swallow_the_next_long_option() -> None:
    assert redact("--no-auth", "--verbose") == ["--no-auth", "--verbose"]


def test_url_password_is_redacted() -> None:
    assert redact("postgres://u:pw@h/db") == [f"postgres://u:{REDACTED}@h/db"]


def test_url_password_inside_an_option_is_redacted() -> None:
    assert redact("--cache=redis://:pw@h:6379/0") == [f"--cache=redis://:{REDACTED}@h:6379/0"]


def test_url_password_containing_at_sign_is_redacted_whole() -> None:
    assert redact("amqp://u:p@ss@h/") == [f"amqp://u:{REDACTED}@h/"]


def test_url_without_password_is_kept() -> None:
    assert redact("http://u@h:8000/x", "http://h:8000/x") == [
        "http://u@h:8000/x",
        "http://h:8000/x",
    ]


def test_the_issue_example_shows_neither_secret() -> None:
    published = " ".join(redact("--db-password=hunter2", "postgres://u:pw@h/db"))
    assert "hunter2" not in published
    assert ":pw@" not in published


def test_false_turns_redaction_off() -> None:
    assert redact("--password=abc", "postgres://u:pw@h/db", setting=False) == [
        "--password=abc",
        "postgres://u:pw@h/db",
    ]


def test_extra_patterns_add_option_names() -> None:
    assert redact("--pin=1234", setting=["^pin$"]) == [f"--pin={REDACTED}"]


def test_extra_patterns_keep_the_defaults() -> None:
    assert redact("--password=abc", setting=["^pin$"]) == [f"--password={REDACTED}"]


def test_malformed_setting_still_redacts() -> None:
    assert redact("--password=abc", setting=["(", 3]) == [f"--password={REDACTED}"]


def test_pattern_with_a_global_flag_is_skipped() -> None:
    assert redact("--password=abc", "--pin=1", setting=["(?x)pin"]) == [
        f"--password={REDACTED}",
        "--pin=1",
    ]


def test_redaction_leaves_sys_argv_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["manage.py", "--password=abc"])
    Cmdline().value()
    assert sys.argv == ["manage.py", "--password=abc"]


def test_every_url_in_an_argument_is_redacted() -> None:
    assert redact("--peers=http://a:b@c/,https://d:e@f") == [
        f"--peers=http://a:{REDACTED}@c/,https://d:{REDACTED}@f"
    ]


def test_url_password_containing_a_slash_is_redacted_whole() -> None:
    assert redact("https://u:a/b+c@h/x") == [f"https://u:{REDACTED}@h/x"]


def test_url_inside_a_password_is_not_redacted_twice() -> None:
    assert redact("u://a:x://b:c@h") == [f"u://a:{REDACTED}@h"]


def test_url_search_stops_at_a_space() -> None:
    assert redact("http://h:8000/x y@z") == ["http://h:8000/x y@z"]
