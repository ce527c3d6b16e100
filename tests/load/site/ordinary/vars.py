"""A thousand ordinary variables, ``ordinary_0000`` to ``ordinary_0999``, each valued its number.

The classes are made with ``type()`` and bound as module globals: discovery collects the classes
defined in this module, which these are (their ``__module__`` is this module's name).
"""

from __future__ import annotations

import expvar
from tests.load.site.names import ORDINARY_COUNT, ordinary_name


def _declare(number: int) -> type[expvar.ExpVar]:
    def value(self: expvar.ExpVar) -> int:
        return number

    attributes = {"name": ordinary_name(number), "value": value, "__module__": __name__}
    return type(f"Ordinary{number:04d}", (expvar.ExpVar,), attributes)


for _number in range(ORDINARY_COUNT):
    globals()[f"Ordinary{_number:04d}"] = _declare(_number)
