from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from expvar.registry import Registry, get_registry, set_registry

GODECODE_SOURCE = Path(__file__).resolve().parent / "go" / "godecode"

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


@pytest.fixture(scope="session")
def godecode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's Go decoder, built once per session, offline."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("the Go toolchain is not installed (apt-get install golang-go)")
    build = tmp_path_factory.mktemp("godecode")
    env = {**os.environ, "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GO111MODULE": "on"}
    if "GOCACHE" not in env and "HOME" not in env and "XDG_CACHE_HOME" not in env:
        env["GOCACHE"] = str(build / "cache")
    binary = build / "godecode"
    built = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=GODECODE_SOURCE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    return binary
