"""What the figures were measured on: CPU, cores, memory, OS, Python, Django and tool versions."""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory: str
    system: str
    python: str
    django: str
    gunicorn: str
    uvicorn: str
    wrk: str
    go: str
    date: str
    load_average: str


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return value.strip()
    return platform.machine()


def _memory() -> str:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return "unknown"
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def _system() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                name = line.split("=", 1)[1].strip('"')
                return f"{name}, Linux {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def load_average() -> str:
    """The 1-minute load average: other work on the machine shows here, and in the spreads."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def _tool_version(argv: list[str]) -> str:
    if shutil.which(argv[0]) is None:
        return "not installed"
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def _package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _uvicorn() -> str:
    """uvicorn's version, and the HTTP parser and event loop it picks as installed."""
    from importlib.util import find_spec

    http = "httptools" if find_spec("httptools") else "h11"
    loop = "uvloop" if find_spec("uvloop") else "asyncio"
    return f"{_package_version('uvicorn')} ({http}, {loop})"


def describe() -> Machine:
    import django

    return Machine(
        cpu=_cpu_model(),
        cores=os.cpu_count() or 1,
        memory=_memory(),
        system=_system(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        django=django.get_version(),
        gunicorn=_package_version("gunicorn"),
        uvicorn=_uvicorn(),
        wrk=_tool_version(["wrk", "--version"]).split(" Copyright")[0],
        go=_tool_version(["go", "version"]),
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        load_average=load_average(),
    )
