from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.test import Client

from expvar.registry import get_registry
from tests.push.conftest import redis_client, redis_url  # noqa: F401  (fixtures, shared)

OPENMETRICS_ACCEPT = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"


@dataclass(frozen=True)
class App:
    label: str = "shop"


@dataclass(frozen=True)
class Source:
    """A declaration as the exposition sees it: name, origin, app and the declaring object."""

    name: str
    variable: object = None
    origin: str = "shop.vars.Example"
    app: App = field(default_factory=App)


@pytest.fixture(autouse=True)
def _forget_test_variables() -> Iterator[None]:
    # Push variables a test creates are unpublished after it.
    before = len(get_registry().pushed)
    yield
    get_registry().unpublish(get_registry().pushed[before:])


def scrape(client: Client, *, openmetrics: bool = False) -> str:
    """Return the /debug/metrics body, as Prometheus asks for it or in the text format."""
    headers = {"HTTP_ACCEPT": OPENMETRICS_ACCEPT} if openmetrics else {}
    response = client.get("/debug/metrics", **headers)  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(scope="session")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    return found
