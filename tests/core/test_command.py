from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.test import Client

from tests.factories import declare, registry_of


def run(*args: str) -> str:
    out = StringIO()
    call_command("expvar", *args, stdout=out)
    return out.getvalue()


def test_prints_what_the_endpoint_serves(use_registry) -> None:
    # A fixed registry: the installed contrib apps publish figures that move between two reads.
    use_registry(
        registry_of(
            declare("counts", {"a": 1}),
            declare("ratio", 0.5, position=1),
            declare("broken", lambda: 1 / 0, position=2),
        )
    )
    assert run() == Client().get("/debug/vars").content.decode()
    assert json.loads(run()) == {"counts": {"a": 1}, "ratio": 0.5}


def test_output_is_laid_out_as_go() -> None:
    output = run()
    assert output.startswith("{\n")
    assert output.endswith("\n}\n")


def test_list_groups_variables_by_app_with_class_status_and_time() -> None:
    output = run("--list")
    alpha = output.index("Alpha (tests.testapps.alpha)")
    beta = output.index("Beta (tests.testapps.beta)")
    assert alpha < beta
    line = next(line for line in output.splitlines() if "tests.testapps.beta.vars.Version" in line)
    assert line.split()[0] == "version"
    assert "shadowed" in line
    assert line.rstrip().endswith("ms")


def test_list_shows_collisions_and_merges() -> None:
    output = run("--list")
    assert "version: collision between alpha" in output
    assert "winner: alpha (tests.testapps.alpha.vars.Version)" in output
    assert "inventory: dicts merged from alpha" in output
    assert "gadgets <- beta" in output
    assert "key clash at widgets: alpha wins over beta" in output


def test_list_shows_errors() -> None:
    output = run("--list")
    assert "tests.testapps.broken.vars (app broken): import failed: SyntaxError" in output
    assert "Nameless has no name" in output
