from __future__ import annotations

import expvar


class Inventory(expvar.ExpVar):
    name = "inventory"

    def value(self) -> dict[str, object]:
        return {"gadgets": 5, "shared": {"b": 2}, "widgets": 99}


class Version(expvar.ExpVar):
    name = "version"

    def value(self) -> str:
        return "beta-2.0"


class Gadgets(expvar.ExpVar):
    name = "gadgets"

    def value(self) -> int:
        return 7
