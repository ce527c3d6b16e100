"""``async def value()``: awaited under the timeout in async views, run through in sync ones."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from functools import partial
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.test import AsyncClient, AsyncRequestFactory, override_settings

from expvar.conf import Config
from expvar.evaluation import Evaluator
from expvar.registry import Declaration
from expvar.resolution import resolve, resolve_async
from expvar.views import AsyncExpVarView
from tests.factories import APPS, noting_thread, registry_of


def declare_async(name: str, read: Any, position: int = 0) -> Declaration:
    return Declaration(
        name=name, app=APPS["first"], origin=f"tests.{name}", read=read, is_async=True,
        position=position,
    )  # fmt: skip


async def answer() -> int:
    await asyncio.sleep(0)
    return 7


def test_a_sync_read_runs_an_async_value_to_completion() -> None:
    assert json.loads(resolve(registry_of(declare_async("a", answer))).body()) == {"a": 7}


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_a_sync_read_gives_up_on_a_hung_async_value() -> None:
    release = threading.Event()

    async def hung() -> int:
        while not release.is_set():
            await asyncio.sleep(0.01)
        return 1

    try:
        resolution = resolve(registry_of(declare_async("h", hung), declare_async("a", answer, 1)))
        assert json.loads(resolution.body()) == {"a": 7}
        assert resolution.variables[0].status == "timeout"
    finally:
        release.set()


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_an_async_read_awaits_values_together_and_gives_up_on_a_hung_one() -> None:
    async def hung() -> int:
        await asyncio.Event().wait()
        return 1

    async def read() -> Any:
        registry = registry_of(declare_async("h", hung), declare_async("a", answer, 1))
        first = await resolve_async(registry)
        second = await resolve_async(registry)
        return first, second

    first, second = asyncio.run(read())
    assert json.loads(first.body()) == json.loads(second.body()) == {"a": 7}
    assert "EXPVAR_TIMEOUT" in (first.variables[0].error or "")
    assert (second.variables[0].error or "").startswith("still running")


def test_an_async_value_that_raises_is_reported_and_the_rest_served() -> None:
    async def broken() -> int:
        raise LookupError("gone")

    async def read() -> Any:
        return await resolve_async(
            registry_of(declare_async("b", broken), declare_async("a", answer, 1))
        )

    resolution = asyncio.run(read())
    assert json.loads(resolution.body()) == {"a": 7}
    assert resolution.errors[0].error == "LookupError: gone"


def test_an_async_value_is_called_once_by_concurrent_reads() -> None:
    calls: list[int] = []

    async def slow() -> int:
        calls.append(1)
        await asyncio.sleep(0.05)
        return 3

    evaluator, config = Evaluator(), Config(timeout=1.0, max_value_bytes=1024)
    declaration = declare_async("s", slow)

    async def read() -> list[Any]:
        return list(
            await asyncio.gather(
                *(evaluator.evaluate_async([declaration], config) for _ in range(8))
            )
        )

    results = asyncio.run(read())
    assert [reports[0].value for reports in results] == [3] * 8
    assert calls == [1]


def get_async(**client: Any) -> Any:
    return asyncio.run(AsyncClient(**client).get("/debug/async/vars"))


def test_an_async_value_is_kept_for_its_cache_ttl_and_no_longer() -> None:
    reads: list[int] = []

    async def counted() -> int:
        reads.append(1)
        return len(reads)

    declaration = Declaration(
        name="c", app=APPS["first"], origin="tests.c", read=counted, is_async=True, cache_ttl=0.4
    )
    registry = registry_of(declaration)

    async def read_at(seconds: float, started: float) -> Any:
        await asyncio.sleep(max(started + seconds - time.monotonic(), 0))
        return json.loads((await resolve_async(registry)).body())

    async def reads_over_time() -> list[Any]:
        started = time.monotonic()
        return [await read_at(at, started) for at in (0, 0.1, 0.65)]

    # Past the TTL (and well short of twice it) the value is read again.
    assert asyncio.run(reads_over_time()) == [{"c": 1}, {"c": 1}, {"c": 2}]


def test_the_async_view_denies_a_stranger_with_a_json_403() -> None:
    request = AsyncRequestFactory().get("/debug/async/vars")
    request.META["REMOTE_ADDR"] = "203.0.113.9"
    request.user = AnonymousUser()
    request.auser = partial(asyncio.sleep, 0, AnonymousUser())  # as AuthenticationMiddleware
    response = asyncio.run(AsyncExpVarView.as_view()(request))
    assert response.status_code == 403
    assert json.loads(response.content)["error"] == "forbidden"


def test_the_async_view_serves_loopback_never_cached() -> None:
    response = get_async()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["answer"] == 42


@override_settings(EXPVAR_ACCESS=lambda request: 1 / 0)
def test_a_raising_access_policy_denies_in_the_async_view_too() -> None:
    assert get_async().status_code == 403


def test_async_views_read_in_place_positions_on_the_loop_and_the_rest_in_the_pool() -> None:
    threads: dict[str, str] = {}

    declarations = [
        Declaration(
            name=name, app=APPS["first"], origin=f"tests.{name}", read=noting_thread(name, threads)
        )
        for name in ("pulled", "in_place")
    ]
    declarations.append(declare_async("awaited", answer, position=2))

    async def read() -> tuple[list[Any], str]:
        reports = await Evaluator().evaluate_async(
            declarations, Config(timeout=0.5, max_value_bytes=10_000), frozenset({1})
        )
        return reports, threading.current_thread().name

    reports, loop_thread = asyncio.run(read())
    assert [r.value for r in reports] == ["pulled", "in_place", 7]
    assert threads["in_place"] == loop_thread
    assert threads["pulled"].startswith("expvar-reader")
