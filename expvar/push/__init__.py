"""Push variables (Go's ``expvar.NewInt`` and friends), stored where ``EXPVAR_STORE`` says."""

from __future__ import annotations

from expvar.push.stores import StoreUnavailable, flush
from expvar.push.variables import Float, Int, Map, String, Var

__all__ = ["Float", "Int", "Map", "StoreUnavailable", "String", "Var", "flush"]
