"""Variables that misbehave, to show that one bad variable never costs the others."""

from __future__ import annotations

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
