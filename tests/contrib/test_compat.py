"""The live endpoint next to the body Go's own expvar served (tests/fixtures)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.contrib.gotypes import go_type_errors

CONTRIB_VARIABLES = {"cmdline", "resource", "cpu", "vmem", "swap", "netio", "process", "memstats"}

Fetch = Callable[[], tuple[str, str]]


def entries(body: str) -> list[tuple[str, Any]]:
    """Split a body laid out as Go lays it out, failing on any other layout."""
    assert body.startswith("{\n")
    assert body.endswith("\n}\n")
    pairs = []
    for entry in body[2:-3].split(",\n"):
        name, separator, value = entry.partition(": ")
        assert separator
        assert "\n" not in value
        pairs.append((json.loads(name), json.loads(value)))
    return pairs


def test_layout_reader_accepts_gos_body(reference_body: str) -> None:
    assert dict(entries(reference_body)) == json.loads(reference_body)


def test_content_type_is_gos(fetch: Fetch) -> None:
    assert fetch()[0] == "application/json; charset=utf-8"


def test_layout_is_gos_with_sorted_names(fetch: Fetch) -> None:
    names = [name for name, _ in entries(fetch()[1])]
    assert names == sorted(names)


def test_contrib_variables_are_published(fetch: Fetch) -> None:
    assert CONTRIB_VARIABLES - {name for name, _ in entries(fetch()[1])} == set()


def test_memstats_keys_in_gos_order(fetch: Fetch, reference: dict[str, Any]) -> None:
    memstats = dict(entries(fetch()[1]))["memstats"]
    assert list(memstats) == list(reference["memstats"])


def test_memstats_types_are_gos(fetch: Fetch) -> None:
    assert go_type_errors(dict(entries(fetch()[1]))["memstats"]) == []


def test_memstats_counts_are_integer_literals(fetch: Fetch) -> None:
    # json.loads would read 1.0 as a float; Go's decoder rejects it for a uint64.
    raw = fetch()[1].split('"memstats": ', 1)[1].split(",\n", 1)[0]
    scalars = {k: v for k, v in json.loads(raw).items() if not isinstance(v, (list, bool))}
    assert [k for k, v in scalars.items() if isinstance(v, float)] == ["GCCPUFraction"]


def test_cmdline_is_an_array_of_strings_like_gos(fetch: Fetch, reference: dict[str, Any]) -> None:
    cmdline = dict(entries(fetch()[1]))["cmdline"]
    assert {type(v) for v in cmdline} == {type(v) for v in reference["cmdline"]} == {str}


def test_cmdline_starts_with_the_interpreter(fetch: Fetch) -> None:
    assert dict(entries(fetch()[1]))["cmdline"][0] == sys.executable


def test_process_pid_tells_workers_apart(fetch: Fetch) -> None:
    # The live server is a thread of this process.
    assert dict(entries(fetch()[1]))["process"]["pid"] == os.getpid()


@pytest.mark.go
def test_go_decodes_the_reference_body(godecode: Path) -> None:
    decoded = subprocess.run(
        [str(godecode), str(Path(__file__).parent.parent / "fixtures/go-expvar-reference.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert decoded.returncode == 0, decoded.stdout + decoded.stderr


@pytest.mark.go
def test_go_decodes_memstats_into_runtime_memstats(godecode: Path, vars_url: str) -> None:
    decoded = subprocess.run([str(godecode), vars_url], capture_output=True, text=True, timeout=60)
    assert decoded.returncode == 0, decoded.stdout + decoded.stderr


@pytest.mark.go
def test_go_decoder_rejects_a_float_count(
    godecode: Path, tmp_path: Path, reference_body: str
) -> None:
    body = tmp_path / "vars.json"
    body.write_text(reference_body.replace('"Alloc":202560', '"Alloc":202560.0'))
    decoded = subprocess.run([str(godecode), str(body)], capture_output=True, text=True, timeout=60)
    assert decoded.returncode == 1
