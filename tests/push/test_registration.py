from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.test import override_settings

import expvar
from expvar.discovery import discover
from expvar.registry import PROJECT_LABEL, Registry, get_registry
from expvar.resolution import resolve
from tests.push.conftest import unique


def declare_in(module: str, source: str) -> dict[str, Any]:
    """Run ``source`` as if it were the module ``module`` (so in the app that contains it)."""
    namespace: dict[str, Any] = {"__name__": module}
    exec(textwrap.dedent(source), namespace)
    return namespace


def test_push_variable_is_published_with_its_declaring_app() -> None:
    name = unique("jobs")
    jobs = declare_in("tests.testapps.alpha.tasks", f"import expvar\njobs = expvar.Int({name!r})")
    jobs["jobs"].add(7)
    resolution = resolve()
    assert resolution.published[name] == "7"
    [report] = [r for r in resolution.variables if r.name == name]
    assert report.app.label == "alpha"
    assert report.declaration.kind == "push"
    assert report.origin == f"tests.testapps.alpha.tasks:Int({name!r})"


def test_push_variables_follow_the_apps_pull_variables_in_creation_order() -> None:
    first, second = unique("first"), unique("second")
    declare_in(
        "tests.testapps.beta.counters",
        f"import expvar\na = expvar.Map({first!r})\nb = expvar.String({second!r})",
    )
    beta = [d.name for d in get_registry().layout.declarations if d.app.label == "beta"]
    assert beta[:3] == ["inventory", "version", "gadgets"]
    assert beta[-2:] == [first, second]


def test_variable_outside_any_app_has_the_project_as_source() -> None:
    name = unique("loose")
    expvar.Float(name).add(1.5)
    [declaration] = get_registry().layout.by_name[name]
    assert declaration.app.label == PROJECT_LABEL
    assert declaration.app.index > max(
        app.index for app in get_registry().apps if app.label != PROJECT_LABEL
    )
    assert resolve().published[name] == "1.5"


def test_same_name_as_a_pull_variable_is_a_collision_the_pull_variable_wins() -> None:
    answer = declare_in("tests.testapps.beta.late", "import expvar\nv = expvar.Int('answer')")
    answer["v"].set(99)
    resolution = resolve()
    assert resolution.published["answer"] == "42"
    [collision] = [c for c in resolution.collisions if c.name == "answer"]
    assert [r.declaration.kind for r in collision.contenders] == ["pull", "push"]
    assert collision.winner is not None
    assert collision.winner.app.label == "alpha"


def test_push_maps_merge_with_pull_dicts_of_the_same_name() -> None:
    stock = declare_in("tests.testapps.beta.stock", "import expvar\nv = expvar.Map('inventory')")
    stock["v"].add("sprockets", 5)
    resolution = resolve()
    [collision] = [c for c in resolution.collisions if c.name == "inventory"]
    assert collision.rule == "merge"
    assert collision.merged["sprockets"] == 5
    assert collision.merged["widgets"] == 3


def test_variables_created_before_discovery_are_published_when_it_loads() -> None:
    name = unique("early")
    registry = Registry(pushed=[expvar.Int(name)])
    assert name not in registry.layout.by_name
    registry.load(discover())
    assert name in registry.layout.by_name


def test_skipped_apps_publish_no_push_variables(use_registry: Any) -> None:
    name = unique("skipped")
    declare_in("tests.testapps.beta.skipped", f"import expvar\nv = expvar.Int({name!r})")
    pushed = get_registry().pushed
    assert name in Registry(discover(), pushed).layout.by_name
    assert name not in Registry(discover(skip=["beta"]), pushed).layout.by_name
    with override_settings(EXPVAR_SKIP=["tests.testapps.beta"]):
        use_registry(Registry(discover()))  # start-up, with the setting
        later = unique("later")
        declare_in("tests.testapps.beta.skipped2", f"import expvar\nv = expvar.Int({later!r})")
        assert later not in get_registry().layout.by_name


def test_registry_for_some_apps_only_leaves_other_apps_variables_out() -> None:
    from django.apps import apps

    name = unique("betaonly")
    declare_in("tests.testapps.beta.partial", f"import expvar\nv = expvar.Int({name!r})")
    registry = Registry(discover([apps.get_app_config("alpha")]), get_registry().pushed)
    assert name not in registry.layout.by_name


def test_command_lists_push_variables() -> None:
    name = unique("listed")
    expvar.Int(name).add(1)
    out = StringIO()
    call_command("expvar", "--list", stdout=out)
    assert name in out.getvalue()


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_importing_expvar_needs_no_settings_and_no_models() -> None:
    out = run_python(
        """
        import sys
        import expvar
        counter = expvar.Int("early")
        counter.add(2)
        print(counter.value(), "django.db.models" in sys.modules, "django.apps" in sys.modules)
        """
    )
    assert out.split() == ["2", "False", "False"]


def test_variable_created_before_django_setup_is_published_with_its_app() -> None:
    out = run_python(
        """
        import os, sys, types
        import expvar
        # A module of the alpha app, imported (as from settings.py) before django.setup().
        module = types.ModuleType("tests.testapps.alpha.early")
        exec("import expvar\\nv = expvar.Int('made_early')\\nv.add(5)", module.__dict__)
        os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
        import django
        django.setup()
        from expvar.resolution import resolve
        resolution = resolve()
        [report] = [r for r in resolution.variables if r.name == "made_early"]
        print(report.app.label, resolution.published["made_early"])
        """
    )
    assert out.split() == ["alpha", "5"]


def test_skip_setting_that_is_not_a_list_skips_nothing() -> None:
    with override_settings(EXPVAR_SKIP="beta"):
        name = unique("notskipped")
        declare_in("tests.testapps.beta.odd", f"import expvar\nv = expvar.Int({name!r})")
        assert name in get_registry().layout.by_name


def test_a_local_store_is_read_on_the_request_thread(monkeypatch: Any) -> None:
    # This process's memory cannot hang, so there is no hand-off to the evaluator's threads.
    from expvar.push.stores import current

    name = unique("local_read")
    expvar.Int(name).add(3)
    store = current()
    assert store.in_memory
    read_on: list[str] = []
    original = store.read_scalar

    def noting(cell: str) -> Any:
        read_on.append(threading.current_thread().name)
        return original(cell)

    monkeypatch.setattr(store, "read_scalar", noting)
    assert resolve().published[name] == "3"
    assert read_on
    assert set(read_on) == {threading.current_thread().name}
