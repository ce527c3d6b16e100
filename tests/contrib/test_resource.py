from __future__ import annotations

import importlib.util
import inspect
import resource
import sys
from types import ModuleType

import pytest
from django.core.checks import run_checks

import expvar
from expvar.contrib.resource import vars as resource_vars

FIELDS = [
    "utime", "stime", "maxrss", "ixrss", "idrss", "isrss", "minflt", "majflt", "nswap",
    "inblock", "oublock", "msgsnd", "msgrcv", "nsignals", "nvcsw", "nivcsw",
]  # fmt: skip


def published(module: ModuleType) -> list[type[expvar.ExpVar]]:
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, expvar.ExpVar) and cls.__module__ == module.__name__
    ]


@pytest.fixture
def without_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes `import resource` raise ImportError, as on Windows.
    monkeypatch.setitem(sys.modules, "resource", None)


def fresh_vars_module() -> ModuleType:
    """Run vars.py again in a new module object, leaving the imported one alone."""
    spec = importlib.util.find_spec(resource_vars.__name__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def value() -> dict[str, float | int]:
    [cls] = published(resource_vars)
    result: dict[str, float | int] = cls().value()
    return result


def test_fields_in_order() -> None:
    assert list(value()) == FIELDS


def test_times_are_floats() -> None:
    figures = value()
    assert [type(figures[f]) for f in ("utime", "stime")] == [float, float]


def test_counts_are_ints() -> None:
    assert {type(v) for k, v in value().items() if k not in ("utime", "stime")} == {int}


def test_figures_come_from_getrusage() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF)
    figures = value()
    after = resource.getrusage(resource.RUSAGE_SELF)
    assert before.ru_minflt <= figures["minflt"] <= after.ru_minflt
    assert before.ru_utime <= figures["utime"] <= after.ru_utime


def test_published_where_the_module_exists() -> None:
    assert [cls.name for cls in published(fresh_vars_module())] == ["resource"]


@pytest.mark.usefixtures("without_resource")
def test_without_the_module_nothing_is_published() -> None:
    assert published(fresh_vars_module()) == []


@pytest.mark.usefixtures("without_resource")
def test_without_the_module_check_warns() -> None:
    [warning] = [m for m in run_checks() if m.id == "expvar.W020"]
    assert "resource module" in warning.msg


def test_with_the_module_check_is_quiet() -> None:
    assert [m for m in run_checks() if m.id == "expvar.W020"] == []
