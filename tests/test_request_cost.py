"""Discovery, imports and class scans belong to start-up: a request makes none of them.

Watched through ``sys.setprofile`` in the thread that reads the values, whatever the number of
variables.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import itertools
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import CodeType, FrameType
from typing import Any

import pytest
from django.test import Client

from expvar import discovery
from expvar.registry import Registry
from expvar.variables import ExpVar
from tests.factories import declare, registry_of


class Trivial(ExpVar):
    def __init__(self, number: int) -> None:
        self.number = number

    def value(self) -> int:
        return self.number


class CallCounter:
    """Count Python-level calls (``sys.setprofile`` "call" events) during a request.

    The values are read on a worker thread that may exist before counting starts, where
    ``threading.setprofile`` cannot reach; so the registry's first variable switches the
    counter on in the thread that reads it, and its last variable switches it off again.
    """

    def __init__(self, watched: dict[CodeType, str] | None = None) -> None:
        self.watched = watched or {}
        self.hits: list[str] = []
        self._calls = itertools.count()
        self._owner: int | None = None
        self._hook = self._profile

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            next(self._calls)
            name = self.watched.get(frame.f_code)
            if name is not None:
                self.hits.append(name)

    def adopt(self) -> int:
        if self._owner is not None and sys.getprofile() is None:
            sys.setprofile(self._hook)
        return 0

    def release(self) -> int:
        if threading.get_ident() != self._owner and sys.getprofile() is self._hook:
            sys.setprofile(None)
        return 0

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        """Count within the block; the yielded list then holds the number of calls."""
        result: list[int] = []
        gc_was_enabled = gc.isenabled()
        gc.disable()  # a collection would run finalizers and callbacks: calls, but not ours
        self._owner = threading.get_ident()
        start = next(self._calls)
        sys.setprofile(self._hook)
        try:
            yield result
        finally:
            sys.setprofile(None)
            result.append(next(self._calls) - start - 1)
            self._owner = None
            if gc_was_enabled:
                gc.enable()


def counted_registry(count: int, counter: CallCounter) -> Registry:
    """``count`` trivial variables between two that switch the counter on and off."""
    variables = [
        declare(f"var{number:05d}", Trivial(number).value, app="second", position=number)
        for number in range(count)
    ]
    return registry_of(
        declare("counter_on", counter.adopt, app="first"),
        *variables,
        declare("counter_off", counter.release, app="third"),
    )


def counted_request(client: Client, counter: CallCounter) -> int:
    with counter.counting() as calls:
        response = client.get("/debug/vars")
    assert response.status_code == 200
    return calls[0]


def startup_only_code() -> dict[CodeType, str]:
    """Code that discovery, imports and class scans run, which no request may run."""
    watched = {
        function.__code__: f"expvar.discovery.{name}"
        for name, function in inspect.getmembers(discovery, inspect.isfunction)
        if function.__module__ == discovery.__name__
    }
    bootstrap: Any = importlib._bootstrap
    watched[bootstrap._find_and_load.__code__] = "an import of a module not yet loaded"
    watched[importlib.import_module.__code__] = "importlib.import_module"
    watched[vars(ExpVar)["is_abstract"].__func__.__code__] = "ExpVar.is_abstract"
    watched[ExpVar.get_name.__code__] = "ExpVar.get_name"
    return watched


@pytest.mark.parametrize("count", [100, 200])
def test_requests_make_no_discovery_imports_or_class_scans(use_registry: Any, count: int) -> None:
    client = Client()
    counter = CallCounter(startup_only_code())
    use_registry(counted_registry(count, counter))
    client.get("/debug/vars")
    modules = set(sys.modules)
    for _ in range(3):
        assert counted_request(client, counter) > count
    assert counter.hits == []
    assert set(sys.modules) - modules == set()
