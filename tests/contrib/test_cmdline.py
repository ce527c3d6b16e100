from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from expvar.contrib.cmdline.redact import REDACTED
from expvar.contrib.cmdline.vars import Cmdline

ROOT = Path(__file__).resolve().parents[2]


def check_ids(value: Any) -> list[str]:
    with override_settings(EXPVAR_CMDLINE_REDACT=value):
        return [m.id for m in run_checks() if m.id and m.id.startswith("expvar.E02")]


def test_value_is_the_interpreter_then_argv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver"])
    assert Cmdline().value() == [sys.executable, "manage.py", "runserver"]


def test_value_is_redacted_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["manage.py", "--token=abc"])
    assert Cmdline().value()[-1] == f"--token={REDACTED}"


@override_settings(EXPVAR_CMDLINE_REDACT=False)
def test_setting_is_read_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["manage.py", "--token=abc"])
    assert Cmdline().value()[-1] == "--token=abc"


@override_settings(EXPVAR_CMDLINE_REDACT=("pin",))
def test_extra_patterns_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["manage.py", "--pin=1234"])
    assert Cmdline().value()[-1] == f"--pin={REDACTED}"


@pytest.mark.parametrize("value", [True, False, [], ["^pin$", "dsn"], ("pin",)])
def test_valid_settings_pass_the_checks(value: Any) -> None:
    assert check_ids(value) == []


@pytest.mark.parametrize("value", ["pin", None, 0, {"pin": True}])
def test_setting_of_wrong_type_is_an_error(value: Any) -> None:
    assert check_ids(value) == ["expvar.E020"]


def test_non_string_pattern_is_an_error() -> None:
    assert check_ids(["pin", 3]) == ["expvar.E021"]


@pytest.mark.parametrize("pattern", ["(unclosed", "(?i)pin"])
def test_invalid_pattern_is_an_error(pattern: str) -> None:
    assert check_ids(["pin", pattern]) == ["expvar.E022"]


@override_settings(EXPVAR_CMDLINE_REDACT="pin")
def test_errors_say_how_to_fix() -> None:
    [error] = [m for m in run_checks() if m.id == "expvar.E020"]
    assert "['pin']" in (error.hint or "")


PROGRAM = """
import django
django.setup()
from django.test import Client
print(Client().get("/debug/vars").content.decode())
"""


def test_a_process_started_with_secrets_publishes_neither() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    argv = ["--db-password=hunter2", "postgres://u:pw@h/db"]
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    cmdline = json.loads(run.stdout)["cmdline"]
    assert cmdline[-2:] == [f"--db-password={REDACTED}", f"postgres://u:{REDACTED}@h/db"]
