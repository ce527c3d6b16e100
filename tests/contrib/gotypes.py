"""Go's declared types for runtime.MemStats, and a checker that reads JSON as Go would."""

from __future__ import annotations

from typing import Any

UINT64_MAX = (1 << 64) - 1
UINT32_MAX = (1 << 32) - 1

# From Go's runtime.MemStats declaration; field order is taken from the reference body instead.
SCALAR_TYPES = {
    "NumGC": "uint32",
    "NumForcedGC": "uint32",
    "GCCPUFraction": "float64",
    "EnableGC": "bool",
    "DebugGC": "bool",
}
ARRAYS = {"PauseNs": 256, "PauseEnd": 256}
BY_SIZE_LENGTH = 61


def go_type_errors(memstats: dict[str, Any]) -> list[str]:
    """Say why ``json.Unmarshal`` into ``runtime.MemStats`` would reject ``memstats``."""
    errors: list[str] = []
    for key, value in memstats.items():
        if key in ARRAYS:
            errors += _array_errors(key, value, ARRAYS[key])
        elif key == "BySize":
            errors += _by_size_errors(value)
        else:
            errors += _scalar_errors(key, value, SCALAR_TYPES.get(key, "uint64"))
    return errors


def _scalar_errors(where: str, value: Any, go_type: str) -> list[str]:
    if go_type == "bool":
        ok = isinstance(value, bool)
    elif go_type == "float64":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        limit = UINT32_MAX if go_type == "uint32" else UINT64_MAX
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit
    return [] if ok else [f"{where}: {value!r} is not a Go {go_type}"]


def _array_errors(where: str, value: Any, length: int) -> list[str]:
    if not isinstance(value, list) or len(value) != length:
        return [f"{where}: not an array of {length}"]
    return [e for i, v in enumerate(value) for e in _scalar_errors(f"{where}[{i}]", v, "uint64")]


def _by_size_errors(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) != BY_SIZE_LENGTH:
        return [f"BySize: not an array of {BY_SIZE_LENGTH}"]
    errors: list[str] = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or list(entry) != ["Size", "Mallocs", "Frees"]:
            errors.append(f"BySize[{i}]: {entry!r} is not {{Size, Mallocs, Frees}}")
            continue
        errors += _scalar_errors(f"BySize[{i}].Size", entry["Size"], "uint32")
        errors += _scalar_errors(f"BySize[{i}].Mallocs", entry["Mallocs"], "uint64")
        errors += _scalar_errors(f"BySize[{i}].Frees", entry["Frees"], "uint64")
    return errors
