"""Variables that misbehave, to show that one bad variable never costs the others."""

from __future__ import annotations

import asyncio
import time

import expvar


class PaymentGateway(expvar.ExpVar):
    name = "payment_gateway"

    def value(self) -> dict[str, int]:
        raise ConnectionError("payment gateway at 127.0.0.1:9 refused the connection")


class NightlyReport(expvar.ExpVar):
    """Slow to compute, so it is kept for 10 s between reads."""

    name = "nightly_report"
    cache_ttl = 10

    def value(self) -> dict[str, float]:
        time.sleep(0.25)
        return {"revenue": 1843.5, "refunds": 12.0}


class LegacyMainframe(expvar.ExpVar):
    """Hangs for longer than EXPVAR_TIMEOUT: shown as timed out, skipped while it runs."""

    name = "legacy_mainframe"

    def value(self) -> int:
        time.sleep(30)
        return 1


class InventoryService(expvar.ExpVar):
    """An ``async def value()``: awaited on the event loop under uvicorn, run through under WSGI."""

    name = "inventory_service"

    async def value(self) -> dict[str, float]:
        await asyncio.sleep(0.01)  # as a call to another service would
        return {"healthy": 1, "latency_ms": 10.0}
