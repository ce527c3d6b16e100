"""Plain scalars, half of a merged dict, and the winning side of a collision."""

from __future__ import annotations

import random
import time

import expvar

STARTED = time.time()


class OrdersToday(expvar.ExpVar):
    name = "orders_today"

    def value(self) -> int:
        # Grows by about one order every three seconds, so the dashboard has something to show.
        return int((time.time() - STARTED) / 3) + 120


class CartConversion(expvar.ExpVar):
    name = "cart_conversion"

    def value(self) -> float:
        return round(0.031 + random.uniform(-0.004, 0.004), 4)


class Inventory(expvar.ExpVar):
    """Merged with the warehouse's inventory; both give `widgets`, so the shop's stands."""

    name = "inventory"

    def value(self) -> dict[str, object]:
        return {"widgets": 12, "gadgets": 3, "on_sale": {"widgets": True}}


class Version(expvar.ExpVar):
    """Collides with the warehouse's `version`: the shop is first in INSTALLED_APPS and wins."""

    name = "version"

    def value(self) -> str:
        return "shop-1.4.0"
