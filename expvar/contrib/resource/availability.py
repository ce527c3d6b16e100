"""Whether the standard library's ``resource`` module exists here (it does not on Windows)."""

from __future__ import annotations

import importlib
from types import ModuleType


def load_resource() -> ModuleType | None:
    try:
        return importlib.import_module("resource")
    except ImportError:
        return None
