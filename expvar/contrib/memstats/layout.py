"""Split the resident set into Go's ``*Sys`` parts so that they always add up to ``Sys``."""

from __future__ import annotations

from dataclasses import dataclass

from expvar.contrib.memstats.figures import Resident


@dataclass(frozen=True)
class Layout:
    """Bytes, each part of ``Resident.total``; none negative, whatever the sources say."""

    heap_sys: int
    heap_idle: int
    stack_sys: int
    buck_hash_sys: int
    other_sys: int

    @property
    def heap_inuse(self) -> int:
        return self.heap_sys - self.heap_idle

    @property
    def sys(self) -> int:
        return self.heap_sys + self.stack_sys + self.buck_hash_sys + self.other_sys


def lay_out(resident: Resident, stack: int, profiler: int, malloc_free: int) -> Layout:
    """Carve the stack and the profiler's tables out of anonymous memory; the heap is the rest.

    The sources are read at slightly different moments (and malloc's free chunks need not all be
    resident), so each part is capped by what is left rather than trusted to fit.
    """
    anonymous = resident.anonymous
    stack_sys = min(max(stack, 0), anonymous)
    buck_hash_sys = min(max(profiler, 0), anonymous - stack_sys)
    heap_sys = anonymous - stack_sys - buck_hash_sys
    return Layout(
        heap_sys=heap_sys,
        heap_idle=min(max(malloc_free, 0), heap_sys),
        stack_sys=stack_sys,
        buck_hash_sys=buck_hash_sys,
        other_sys=resident.file_backed,
    )
