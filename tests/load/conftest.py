from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _pytest.terminal import TerminalReporter

from tests.load.servers import Gunicorn, RedisServer
from tests.load.tally import TALLY, Tally
from tests.push.conftest import delete_prefix, redis_url, unique

__all__ = ["redis_url"]  # the push tests' fixture: the machine's Redis, or a skip


@pytest.fixture(scope="session")
def tally() -> Tally:
    return TALLY


@pytest.fixture(autouse=True)
def _count_scenario(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("load") is not None:
        TALLY.scenarios += 1


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if TALLY.scenarios:
        terminalreporter.write_line(TALLY.line())


@pytest.fixture
def start_gunicorn(tmp_path: Path) -> Iterator[Any]:
    """Start gunicorn servers of the load site; every one is killed when the test ends."""
    started: list[Gunicorn] = []

    def start(**options: Any) -> Gunicorn:
        directory = tmp_path / f"server{len(started)}"
        directory.mkdir()
        server = Gunicorn(directory, **options)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, on a free port: the test may stop it at will."""
    try:
        server = RedisServer(tmp_path)
    except FileNotFoundError:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def shared_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own in the machine's Redis, deleted afterwards."""
    import redis

    prefix = unique("load")
    yield prefix
    client = redis.Redis.from_url(redis_url)
    delete_prefix(client, prefix)
    client.close()
