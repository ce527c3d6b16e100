from __future__ import annotations

import os
from collections.abc import Generator, Iterator

import pytest

from expvar.discovery import get_registry, set_registry
from expvar.registry import Registry

# In CI every test must run: a skip (no browser, no Redis, no Go) there is a failure.
IN_CI = bool(os.environ.get("CI"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run every test: {reason}"


@pytest.fixture
def use_registry() -> Generator[object, None, None]:
    """Serve a registry of the test's own for its duration."""
    original = get_registry()

    def install(registry: Registry) -> Registry:
        return set_registry(registry)

    yield install
    set_registry(original)
