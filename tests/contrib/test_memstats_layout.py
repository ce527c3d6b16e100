from __future__ import annotations

import platform

import pytest

from expvar.contrib.memstats.figures import Resident, find_mallinfo2, read_malloc_free
from expvar.contrib.memstats.vars import lay_out

MIB = 1 << 20
RESIDENT = Resident(total=100 * MIB, file_backed=30 * MIB)


def has_mallinfo2() -> bool:
    libc, version = platform.libc_ver()
    return libc == "glibc" and tuple(map(int, version.split(".")[:2])) >= (2, 33)


def test_heap_is_anonymous_memory_less_stack_and_profiler() -> None:
    layout = lay_out(RESIDENT, stack=1 * MIB, profiler=2 * MIB, malloc_free=0)
    assert layout.heap_sys == 67 * MIB


def test_idle_heap_is_mallocs_free_memory() -> None:
    layout = lay_out(RESIDENT, stack=0, profiler=0, malloc_free=5 * MIB)
    assert (layout.heap_idle, layout.heap_inuse) == (5 * MIB, 65 * MIB)


def test_file_backed_memory_is_other_sys() -> None:
    assert lay_out(RESIDENT, stack=0, profiler=0, malloc_free=0).other_sys == 30 * MIB


def test_parts_add_up_to_the_resident_set() -> None:
    assert lay_out(RESIDENT, stack=1 * MIB, profiler=2 * MIB, malloc_free=3 * MIB).sys == 100 * MIB


def test_a_stack_larger_than_anonymous_memory_is_capped() -> None:
    layout = lay_out(RESIDENT, stack=500 * MIB, profiler=2 * MIB, malloc_free=0)
    assert (layout.stack_sys, layout.buck_hash_sys, layout.heap_sys) == (70 * MIB, 0, 0)


def test_more_free_malloc_memory_than_heap_leaves_nothing_in_use() -> None:
    layout = lay_out(RESIDENT, stack=0, profiler=0, malloc_free=500 * MIB)
    assert (layout.heap_idle, layout.heap_inuse) == (70 * MIB, 0)


def test_the_parts_still_add_up_when_the_sources_disagree() -> None:
    layout = lay_out(RESIDENT, stack=500 * MIB, profiler=500 * MIB, malloc_free=500 * MIB)
    assert layout.sys == RESIDENT.total


@pytest.mark.skipif(not has_mallinfo2(), reason="needs glibc 2.33 or later")
def test_mallinfo2_is_found_in_glibc() -> None:
    assert find_mallinfo2() is not None


def test_no_mallinfo2_where_the_library_has_none() -> None:
    assert find_mallinfo2("/nonexistent/libc.so.6") is None


def test_without_mallinfo2_no_memory_is_free() -> None:
    assert read_malloc_free(None) == 0
