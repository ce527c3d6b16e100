from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

CHROMIUM = os.environ.get("EXPVAR_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is
# open, and tests elsewhere (async middleware through async_to_sync) need the thread free of it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # While that loop runs, Django would refuse the tests' own ORM calls (creating users) as
    # "async unsafe"; they are synchronous test set-up, so allow them for these tests only.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def make_user(
    username: str, *, staff: bool = True, perm: bool = False, superuser: bool = False
) -> User:
    # No password: tests log in by session cookie, and hashing one costs about a second here.
    user = User.objects.create_user(username, is_staff=staff or superuser, is_superuser=superuser)
    if perm:
        user.user_permissions.add(Permission.objects.get(codename="view_variable"))
    return user


@pytest.fixture
def log_in(transactional_db: None, live_server: Any, context: Any) -> Callable[[User], None]:
    """Give the browser the session of ``user``, as if they had logged in."""

    def log_in(user: User) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    return log_in


@pytest.fixture
def dashboard_url(live_server: Any) -> str:
    return f"{live_server.url}/admin/expvar/variable/"


FAST = 0.3


@pytest.fixture
def viewer(log_in: Callable[[User], None]) -> User:
    user = make_user("viewer", perm=True)
    log_in(user)
    return user


@pytest.fixture
def live_vars(use_registry: Callable[[Any], Any], settings: Any) -> None:
    from tests.dashboardapp import vars as test_vars
    from tests.dashboardapp.registry import registry_with

    settings.EXPVAR_REFRESH_INTERVAL = FAST
    use_registry(
        registry_with(test_vars.Ticker, test_vars.Stats, test_vars.Catalog, test_vars.Memstats)
    )
