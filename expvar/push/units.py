"""The float scheme: a Float is kept as a whole number of nano-units (1e-9).

Adding integers is exact and atomic on every store (Redis INCRBY, a dict under a lock), so
10,000 adds of 0.1 from any number of processes give exactly 1000.0.
"""

from __future__ import annotations

import math

SCALE = 10**9
# Redis INCRBY works on signed 64-bit integers.
LIMIT = 2**63 - 1
MAX_FLOAT = LIMIT / SCALE


def to_units(value: float) -> int:
    """Return ``value`` as nano-units, rounded to the nearest one (ties to even)."""
    if type(value) is int:
        units = value * SCALE
    else:
        if not math.isfinite(value):
            raise ValueError(f"expvar.Float holds finite numbers only, not {value!r}")
        # Exactly, from the float's binary value: value * SCALE in floating point is off by up
        # to tens of units above 1e7.
        numerator, denominator = value.as_integer_ratio()
        units, remainder = divmod(numerator * SCALE, denominator)
        twice = 2 * remainder
        if twice > denominator or (twice == denominator and units % 2):
            units += 1
    if abs(units) > LIMIT:
        raise OverflowError(
            f"{value!r} is outside the range of expvar.Float (±{MAX_FLOAT:.9f}); "
            "count large quantities with expvar.Int"
        )
    return units


def from_units(units: int) -> float:
    # int / int is correctly rounded, so 10**12 units read back as exactly 1000.0.
    return units / SCALE


def join(whole: int | None, units: int | None) -> int | float | None:
    """Combine a map entry's integer part and nano-unit part into one number."""
    if units is None:
        return whole
    return from_units((whole or 0) * SCALE + units)
