"""The other half of `inventory`, and the losing side of the `version` collision."""

from __future__ import annotations

import random

import expvar


class Inventory(expvar.ExpVar):
    name = "inventory"

    def value(self) -> dict[str, object]:
        return {"widgets": 10, "bins": 40, "on_sale": {"bins": False}}


class Version(expvar.ExpVar):
    name = "version"

    def value(self) -> str:
        return "warehouse-2.0.1"


class QueueDepth(expvar.ExpVar):
    name = "queue_depth"

    def value(self) -> dict[str, int]:
        return {"picking": random.randint(0, 30), "packing": random.randint(0, 12)}
