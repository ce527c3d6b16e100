"""Go's push variables: Int, Float, String and Map, updated by the code that counts.

A Float is kept as a whole number of nano-units (1e-9): adding integers is exact and atomic on
every store (Redis INCRBY, a dict under a lock), so 10,000 adds of 0.1 from any number of
processes give exactly 1000.0.
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Iterable
from typing import Any, ClassVar

from expvar.push import keys
from expvar.push.buffer import Entry
from expvar.push.stores import current
from expvar.registry import get_registry

MapKey = str | tuple[str, ...]
MapValue = int | float | str
Cells = tuple[str, str, str]  # a map key's integer, float and text cells

SCALE = 10**9
# Redis INCRBY works on signed 64-bit integers.
LIMIT = 2**63 - 1


def to_units(value: float) -> int:
    """Return ``value`` as nano-units, rounded to the nearest one (ties to even)."""
    if type(value) is int:
        units = value * SCALE
    elif not math.isfinite(value):
        raise ValueError(f"expvar.Float holds finite numbers only, not {value!r}")
    else:
        # Exactly, from the float's binary value: value * SCALE in floating point is off by up
        # to tens of units above 1e7. By hand, not with Fraction, which costs an add 3 us more.
        numerator, denominator = value.as_integer_ratio()
        units, remainder = divmod(numerator * SCALE, denominator)
        if 2 * remainder > denominator or (2 * remainder == denominator and units % 2):
            units += 1
    if abs(units) > LIMIT:
        raise OverflowError(
            f"{value!r} is outside the range of expvar.Float (±{LIMIT / SCALE:.9f}); "
            "count large quantities with expvar.Int"
        )
    return units


def from_units(units: int) -> float:
    """Return nano-units as a float (int / int is correctly rounded: 10**12 is 1000.0)."""
    return units / SCALE


def _int(value: object, what: str) -> int:
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"{what} takes an int, not {type(value).__name__}")


class Var:
    """A named value that is published at ``/debug/vars`` as soon as it is created."""

    def __init__(self, name: str, *, prometheus: Any = None) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a push variable needs a non-empty name, not {name!r}")
        self.name = name
        # How /debug/metrics exposes it (see docs/prometheus.md); None: by its value's shape.
        self.prometheus = prometheus
        # The module that created it (the first frame outside this package) gives its app.
        frame = sys._getframe(1)
        while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
            "expvar.push."
        ):
            frame = frame.f_back
        self.module = str(frame.f_globals.get("__name__") or "__main__")
        self.origin = f"{self.module}:{type(self).__name__}({name!r})"
        get_registry().publish(self)

    def value(self) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<expvar.{type(self).__name__} {self.name!r}>"


class Scalar(Var):
    """A variable of one store cell, which a poll reads with every other scalar's at once."""

    _kind: ClassVar[str]

    @functools.cached_property
    def cell(self) -> str:
        return keys.scalar(self.name, self._kind)


class Int(Scalar):
    """A 64-bit integer (Go's ``expvar.Int``)."""

    _kind = keys.INT

    def add(self, delta: int) -> None:
        current().add([(self.cell, _int(delta, "Int.add()"), None)])

    def set(self, value: int) -> None:
        current().set(self.cell, _int(value, "Int.set()"))

    def value(self) -> int:
        found = current().read_scalar(self.cell)
        return found if isinstance(found, int) else 0


class Float(Scalar):
    """A float, kept exactly to 1e-9 (see the float scheme in docs/push.md)."""

    _kind = keys.FLOAT

    def add(self, delta: float) -> None:
        current().add([(self.cell, to_units(delta), None)])

    def set(self, value: float) -> None:
        current().set(self.cell, to_units(value))

    def value(self) -> float:
        found = current().read_scalar(self.cell)
        return from_units(found) if isinstance(found, int) else 0.0


class String(Scalar):
    """A string (Go's ``expvar.String``): last write wins."""

    _kind = keys.TEXT

    def set(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"String.set() takes a str, not {type(value).__name__}")
        current().set(self.cell, value)

    def value(self) -> str:
        found = current().read_scalar(self.cell)
        return found if isinstance(found, str) else ""


@functools.lru_cache(maxsize=4096)
def _map_key(name: str, key: MapKey) -> tuple[Entry, Cells]:
    # Cached: encoding a key costs about 8 µs, and a request of the http middleware adds to 9.
    path = (key,) if isinstance(key, str) else key
    if not (isinstance(path, tuple) and path and all(isinstance(p, str) for p in path)):
        raise TypeError(f"a Map key is a str or a non-empty tuple of str, not {key!r}")
    return (keys.token(name), keys.entry_id(path)), keys.entry_cells(name, path)


class Map(Var):
    """A map of string keys to numbers or strings (Go's ``expvar.Map``).

    A key may be a tuple of strings, which nests: ``add(("by_method", "GET"), 1)`` publishes
    ``{"by_method": {"GET": 1}}``. Keys are published sorted, as Go does.
    """

    def add(self, key: MapKey, delta: int | float) -> None:
        """Add to the number at ``key`` (Go's ``Add`` and ``AddFloat``)."""
        current().add([self._delta(key, delta, "Map.add()")])

    def add_many(self, deltas: Iterable[tuple[MapKey, int | float]]) -> None:
        """Add to several keys in one store call."""
        current().add([self._delta(key, delta, "Map.add_many()") for key, delta in deltas])

    def _delta(self, key: MapKey, delta: int | float, what: str) -> tuple[str, int, Entry]:
        entry, (int_cell, float_cell, _) = _map_key(self.name, key)
        if isinstance(delta, float):
            return float_cell, to_units(delta), entry
        return int_cell, _int(delta, what), entry

    def set(self, key: MapKey, value: MapValue) -> None:
        """Set the value at ``key``, replacing its kind."""
        entry, (int_cell, float_cell, text_cell) = _map_key(self.name, key)
        if isinstance(value, str):
            current().set(text_cell, value, entry, clear=(int_cell, float_cell))
        elif isinstance(value, float):
            current().set(float_cell, to_units(value), entry, clear=(int_cell, text_cell))
        else:
            current().set(int_cell, _int(value, "Map.set()"), entry, clear=(float_cell, text_cell))

    def get(self, key: MapKey) -> MapValue | None:
        """Return the value at ``key``, or None if it has none."""
        _, cells = _map_key(self.name, key)
        return _entry_value(cells, current().get_many(cells))

    def delete(self, key: MapKey) -> None:
        """Remove ``key`` and its value."""
        entry, cells = _map_key(self.name, key)
        current().remove(cells, entry)

    def value(self) -> dict[str, Any]:
        store = current()
        paths = filter(None, map(keys.parse_entry_id, store.entries(keys.token(self.name))))
        cells = {path: keys.entry_cells(self.name, path) for path in paths}
        found = store.get_many([cell for triple in cells.values() for cell in triple])
        result: dict[str, Any] = {}
        for path in sorted(cells):
            value = _entry_value(cells[path], found)
            if value is None:
                continue
            # A key that is both a value and the parent of other keys shows as the map of those.
            into = result
            for part in path[:-1]:
                if not isinstance(into.get(part), dict):
                    into[part] = {}
                into = into[part]
            if not isinstance(into.get(path[-1]), dict):
                into[path[-1]] = value
        return result


def _entry_value(cells: Cells, found: dict[str, int | str]) -> MapValue | None:
    whole, units, text = (found.get(cell) for cell in cells)
    whole = whole if isinstance(whole, int) else None
    if isinstance(units, int):
        return from_units((whole or 0) * SCALE + units)
    return whole if whole is not None else text if isinstance(text, str) else None
