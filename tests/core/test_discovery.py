from __future__ import annotations

import importlib
from unittest import mock

import pytest
from django.apps import apps
from django.test import Client, override_settings

from expvar.discovery import discover
from expvar.registry import get_registry


def names_by_app(registry):  # type: ignore[no-untyped-def]
    return [(d.app.label, d.name) for d in registry.layout.declarations]


def test_collects_classes_in_installed_app_order_then_definition_order() -> None:
    assert [pair for pair in names_by_app(get_registry()) if pair[0] in {"alpha", "beta"}] == [
        ("alpha", "answer"),
        ("alpha", "inventory"),
        ("alpha", "version"),
        ("alpha", "empty"),
        ("alpha", "computed"),
        ("beta", "inventory"),
        ("beta", "version"),
        ("beta", "gadgets"),
    ]


def test_app_listed_by_appconfig_path_is_discovered() -> None:
    assert "beta" in {d.app.label for d in get_registry().layout.declarations}


def test_classes_imported_into_vars_are_not_collected_twice() -> None:
    gadgets = [d for d in get_registry().layout.declarations if d.name == "gadgets"]
    assert [d.app.label for d in gadgets] == ["beta"]


def test_abstract_class_is_skipped_but_its_subclass_is_not() -> None:
    names = {d.name for d in get_registry().layout.declarations}
    assert "base" not in names
    assert "inventory" in names


def test_overridden_get_name_names_the_variable() -> None:
    assert "computed" in {d.name for d in get_registry().layout.declarations}


def test_class_without_name_is_reported_not_published() -> None:
    problems = [p for p in get_registry().problems if p.origin.endswith("Nameless")]
    assert len(problems) == 1
    assert "has no name" in problems[0].message


def test_broken_vars_module_is_recorded_and_does_not_stop_discovery() -> None:
    registry = get_registry()
    [failure] = [f for f in registry.import_failures if f.app.label == "broken"]
    assert failure.module == "tests.testapps.broken.vars"
    assert failure.error.startswith("SyntaxError")
    assert "Traceback" in failure.traceback
    assert "answer" in registry.layout.by_name


def test_the_source_of_each_variable_is_remembered() -> None:
    [answer] = get_registry().layout.by_name["answer"]
    assert answer.origin == "tests.testapps.alpha.vars.Answer"
    assert answer.app.name == "tests.testapps.alpha"
    assert answer.position == 0
    assert answer.kind == "pull"


@pytest.mark.parametrize("entry", ["tests.testapps.beta", "beta"])
def test_skip_by_dotted_name_or_label(entry: str) -> None:
    with override_settings(EXPVAR_SKIP=[entry]):
        registry = discover()
    assert "beta" not in {d.app.label for d in registry.declarations}
    assert "alpha" in {d.app.label for d in registry.declarations}


def test_skip_given_as_string_skips_nothing_rather_than_letters() -> None:
    with override_settings(EXPVAR_SKIP="beta"):
        registry = discover()
    assert "beta" in {d.app.label for d in registry.declarations}


def test_discovery_only_covers_given_apps() -> None:
    registry = discover([apps.get_app_config("beta")])
    assert {d.name for d in registry.declarations} == {"inventory", "version", "gadgets"}


def test_class_whose_constructor_raises_is_an_import_failure(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    package = tmp_path / "ctorapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "vars.py").write_text(
        "import expvar\n"
        "class Bad(expvar.ExpVar):\n"
        "    name = 'bad'\n"
        "    def __init__(self):\n"
        "        raise RuntimeError('no database yet')\n"
        "    def value(self):\n"
        "        return 1\n"
        "class Good(expvar.ExpVar):\n"
        "    name = 'good'\n"
        "    def value(self):\n"
        "        return 2\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = mock.Mock(
        label="ctorapp", verbose_name="Ctor", module=importlib.import_module("ctorapp")
    )
    config.name = "ctorapp"
    registry = discover([config])
    assert [d.name for d in registry.declarations] == ["good"]
    [failure] = registry.import_failures
    assert failure.module == "ctorapp.vars.Bad"
    assert failure.error == "RuntimeError: no database yet"


def test_invalid_cache_ttl_is_reported_and_ignored(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    package = tmp_path / "ttlapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "vars.py").write_text(
        "import expvar\n"
        "class Slow(expvar.ExpVar):\n"
        "    name = 'slow'\n"
        "    cache_ttl = 'ten'\n"
        "    def value(self):\n"
        "        return 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = mock.Mock(label="ttlapp", verbose_name="TTL", module=importlib.import_module("ttlapp"))
    config.name = "ttlapp"
    registry = discover([config])
    [declaration] = registry.declarations
    assert declaration.cache_ttl is None
    assert "cache_ttl is 'ten'" in registry.problems[0].message


def test_requests_neither_import_vars_modules_nor_scan_classes() -> None:
    client = Client()
    client.get("/debug/vars")
    real_import = importlib.import_module
    with (
        mock.patch("importlib.import_module", side_effect=real_import) as imported,
        mock.patch("expvar.discovery._collect") as scanned,
        mock.patch("expvar.discovery.discover") as discovered,
    ):
        for _ in range(3):
            assert client.get("/debug/vars").status_code == 200
    assert [c for c in imported.call_args_list if str(c.args[0]).endswith(".vars")] == []
    assert scanned.call_count == 0
    assert discovered.call_count == 0
