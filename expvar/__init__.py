"""Go's expvar for Django: publish variables at /debug/vars and watch them in the admin."""

from __future__ import annotations

from expvar.push.variables import Float, Int, Map, String
from expvar.variables import ExpVar

__version__ = "1.0.0.dev0"
__all__ = ["ExpVar", "Float", "Int", "Map", "String", "__version__"]
