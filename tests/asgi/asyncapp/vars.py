"""Async variables: one that answers, one that hangs (counting its calls), one that raises."""

from __future__ import annotations

import asyncio
import os

import expvar


class AsyncAnswer(expvar.ExpVar):
    name = "async_answer"

    async def value(self) -> int:
        await asyncio.sleep(0)
        return 42


class AsyncHung(expvar.ExpVar):
    name = "async_hung"

    async def value(self) -> int:
        calls = os.environ.get("EXPVAR_ASGI_CALLS")
        if calls:
            with open(calls, "a") as log:
                log.write("called\n")
        await asyncio.Event().wait()  # never set
        return 0


class AsyncRaises(expvar.ExpVar):
    name = "async_raises"

    async def value(self) -> int:
        await asyncio.sleep(0)
        raise LookupError("the async service is down")
