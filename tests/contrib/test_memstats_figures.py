from __future__ import annotations

import os
from pathlib import Path

import psutil
import pytest

from expvar.contrib.memstats.figures import (
    PAGE_SIZE,
    Cumulative,
    PsutilResident,
    StackReader,
    StatmReader,
    choose_reader,
    parse_statm,
    parse_status_stack,
)


def test_statm_resident_pages_are_bytes() -> None:
    assert parse_statm(b"900 40 10 1 0 30 0\n").total == 40 * PAGE_SIZE


def test_statm_shared_pages_are_file_backed() -> None:
    assert parse_statm(b"900 40 10 1 0 30 0\n").file_backed == 10 * PAGE_SIZE


def test_statm_anonymous_is_resident_minus_shared() -> None:
    assert parse_statm(b"900 40 10 1 0 30 0\n").anonymous == 30 * PAGE_SIZE


def test_statm_shared_never_exceeds_resident() -> None:
    assert parse_statm(b"900 40 50 1 0 30 0\n").anonymous == 0


def write(path: Path, text: str) -> None:
    # Replace the file, so an open descriptor keeps the old one.
    tmp = path.with_suffix(".new")
    tmp.write_text(text)
    os.replace(tmp, path)


def test_reader_reads_through_one_descriptor(tmp_path: Path) -> None:
    statm = tmp_path / "statm"
    write(statm, "9 4 1 1 0 3 0\n")
    reader = StatmReader(str(statm))
    reader()
    write(statm, "9 8 1 1 0 3 0\n")
    assert reader().total == 4 * PAGE_SIZE


def test_reader_reopens_in_a_forked_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    statm = tmp_path / "statm"
    write(statm, "9 4 1 1 0 3 0\n")
    reader = StatmReader(str(statm))
    reader()
    write(statm, "9 8 1 1 0 3 0\n")
    monkeypatch.setattr(os, "getpid", lambda: -1)
    assert reader().total == 8 * PAGE_SIZE


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux procfs")
def test_statm_is_chosen_where_procfs_exists() -> None:
    assert isinstance(choose_reader(), StatmReader)


def test_psutil_is_chosen_without_procfs(tmp_path: Path) -> None:
    assert isinstance(choose_reader(str(tmp_path / "missing")), PsutilResident)


def test_psutil_reader_reports_rss_without_a_split() -> None:
    resident = PsutilResident()()
    rss = psutil.Process().memory_info().rss
    assert resident.file_backed == 0
    assert abs(resident.total - rss) < 64 * 1024 * 1024


def observe_all(levels: list[int]) -> list[tuple[int, int]]:
    totals = Cumulative()
    return [totals.observe(level) for level in levels]


def test_cumulative_starts_with_the_first_level() -> None:
    assert observe_all([10]) == [(10, 0)]


def test_cumulative_rises_count_up_and_falls_count_down() -> None:
    assert observe_all([10, 15, 12, 20]) == [(10, 0), (15, 0), (15, 3), (23, 3)]


def test_cumulative_difference_is_the_level() -> None:
    levels = [10, 15, 12, 20, 3, 3, 40]
    assert [up - down for up, down in observe_all(levels)] == levels


STATUS_LINES = b"Name:\tpython\nVmData:\t    7324 kB\nVmStk:\t     132 kB\nVmExe:\t       4 kB\n"


def test_status_stack_is_vmstk_in_bytes() -> None:
    assert parse_status_stack(STATUS_LINES) == 132 * 1024


def test_status_without_vmstk_has_no_stack() -> None:
    assert parse_status_stack(b"Name:\tkthreadd\nThreads:\t1\n") == 0


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux procfs")
def test_main_stack_is_read_from_procfs() -> None:
    assert StackReader()() > 0


def test_no_stack_without_procfs(tmp_path: Path) -> None:
    assert StackReader(str(tmp_path / "missing"))() == 0
