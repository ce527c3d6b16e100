"""Where memstats' memory figures come from, and how Sys is split, seen in its value."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from expvar.contrib.memstats import figures
from expvar.contrib.memstats.vars import MemStats

MIB = 1 << 20
SYS_PARTS = ["HeapSys", "StackSys", "MSpanSys", "MCacheSys", "BuckHashSys", "GCSys", "OtherSys"]
STATUS = """Name:\tpython
VmRSS:\t  {rss} kB
RssAnon:\t  {anon} kB
RssFile:\t  {file} kB
RssShmem:\t  {shmem} kB
VmData:\t  7324 kB
VmStk:\t  {stack} kB
Threads:\t1
"""

Status = Callable[..., dict[str, Any]]


def has_mallinfo2() -> bool:
    libc, version = platform.libc_ver()
    return libc == "glibc" and tuple(map(int, version.split(".")[:2])) >= (2, 33)


@pytest.fixture
def with_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Status:
    """Read memstats with /proc/self/status saying the given sizes, in MiB."""

    def read(rss: int, file: int, shmem: int = 0, stack: int = 0, text: str = "") -> dict[str, Any]:
        status = tmp_path / "status"
        fields = {"rss": rss, "anon": rss - file - shmem, "file": file, "shmem": shmem}
        kib = {name: size * 1024 for name, size in {**fields, "stack": stack}.items()}
        status.write_text(text or STATUS.format(**kib))
        monkeypatch.setattr(figures, "STATUS", str(status))
        result: dict[str, Any] = MemStats().value()
        return result

    return read


@pytest.fixture
def without_mallinfo2(monkeypatch: pytest.MonkeyPatch) -> None:
    # As with musl, macOS, Windows or a glibc older than 2.33.
    monkeypatch.setattr(figures, "mallinfo2", None)


def test_sys_is_the_resident_set(with_status: Status) -> None:
    assert with_status(rss=100, file=20)["Sys"] == 100 * MIB


def test_file_backed_and_shared_memory_is_other_sys(with_status: Status) -> None:
    assert with_status(rss=100, file=20, shmem=10)["OtherSys"] == 30 * MIB


def test_main_stack_is_vmstk(with_status: Status) -> None:
    stats = with_status(rss=100, file=30, stack=1)
    assert stats["StackInuse"] == stats["StackSys"] == 1 * MIB


def test_heap_is_anonymous_memory_less_stack_and_profiler(with_status: Status) -> None:
    stats = with_status(rss=100, file=30, stack=1)
    assert stats["HeapSys"] == 69 * MIB - stats["BuckHashSys"]


def test_status_without_vmstk_has_no_stack(with_status: Status) -> None:
    assert with_status(rss=1, file=0, text="Name:\tpython\nVmRSS:\t  1024 kB\n")["StackSys"] == 0


def test_shared_memory_never_exceeds_the_resident_set(with_status: Status) -> None:
    stats = with_status(rss=100, file=150)
    assert (stats["OtherSys"], stats["HeapSys"]) == (100 * MIB, 0)


def test_a_stack_larger_than_anonymous_memory_is_capped(with_status: Status) -> None:
    stats = with_status(rss=100, file=30, stack=500)
    assert (stats["StackSys"], stats["BuckHashSys"], stats["HeapSys"]) == (70 * MIB, 0, 0)


def test_the_parts_still_add_up_when_the_sources_disagree(with_status: Status) -> None:
    stats = with_status(rss=100, file=150, stack=500)
    assert sum(stats[part] for part in SYS_PARTS) == stats["Sys"] == 100 * MIB


@pytest.mark.skipif(not has_mallinfo2(), reason="needs glibc 2.33 or later")
def test_more_free_malloc_memory_than_heap_leaves_nothing_in_use(with_status: Status) -> None:
    # malloc holds more than 16 kB free: at least the top of its main arena.
    stats = with_status(rss=0, file=0, text="Name:\tpython\nVmRSS:\t  16 kB\n")
    assert stats["HeapSys"] > 0
    assert stats["HeapIdle"] == stats["HeapSys"]
    assert stats["HeapInuse"] == stats["Alloc"] == 0


@pytest.mark.usefixtures("without_mallinfo2")
def test_without_mallinfo2_no_heap_is_idle() -> None:
    stats = MemStats().value()
    assert stats["HeapIdle"] == 0
    assert stats["HeapInuse"] == stats["HeapSys"]


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux procfs")
def test_procfs_splits_the_resident_set() -> None:
    # The interpreter's own code is file-backed; its objects are anonymous.
    stats = MemStats().value()
    assert 0 < stats["OtherSys"] < stats["Sys"]


def test_without_procfs_psutil_gives_the_resident_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figures, "STATUS", str(tmp_path / "missing"))
    stats = MemStats().value()
    assert abs(stats["Sys"] - psutil.Process().memory_info().rss) < 64 * MIB
    assert (stats["OtherSys"], stats["StackSys"]) == (0, 0)
    assert stats["Sys"] == sum(stats[part] for part in SYS_PARTS)
