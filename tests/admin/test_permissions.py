from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.admin.conftest import DASHBOARD, HTMX, REFRESH, grant_view

pytestmark = pytest.mark.django_db


def login_redirect(path: str) -> str:
    return f"/admin/login/?next={path}"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", [DASHBOARD, REFRESH])
def test_anonymous_is_sent_to_the_admin_login(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)


@pytest.mark.parametrize("path", [DASHBOARD, REFRESH])
def test_staff_without_the_permission_are_forbidden(staff_client: Client, path: str) -> None:
    response = staff_client.get(path)

    assert response.status_code == 403


@pytest.mark.parametrize("path", [DASHBOARD, REFRESH])
def test_permission_without_staff_status_is_sent_to_the_admin_login(
    django_user_model: Any, path: str
) -> None:
    user = grant_view(django_user_model.objects.create_user("outsider"))

    response = client_for(user).get(path)

    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)


@pytest.mark.parametrize("path", [DASHBOARD, REFRESH])
def test_inactive_superuser_is_sent_to_the_admin_login(django_user_model: Any, path: str) -> None:
    user = django_user_model.objects.create_user("gone", is_staff=True, is_superuser=True)
    client = client_for(user)
    user.is_active = False
    user.save()

    response = client.get(path)

    assert response.status_code == 302


@pytest.mark.parametrize("path", [DASHBOARD, REFRESH])
def test_staff_with_the_permission_may_open_it(viewer_client: Client, path: str) -> None:
    assert viewer_client.get(path).status_code == 200


@pytest.mark.parametrize("path", [DASHBOARD, REFRESH])
def test_superuser_may_open_it(superuser_client: Client, path: str) -> None:
    assert superuser_client.get(path).status_code == 200


def test_htmx_poll_after_the_session_ended_stops_polling(client: Client) -> None:
    response = client.get(REFRESH, headers=HTMX)

    assert response.status_code == 286
    assert b"Your session has expired." in response.content


def test_htmx_poll_without_the_permission_stops_polling(staff_client: Client) -> None:
    response = staff_client.get(REFRESH, headers=HTMX)

    assert response.status_code == 286
    assert b"You no longer have permission" in response.content


def test_stop_polling_answer_links_to_the_login_with_the_dashboard_as_next(
    client: Client,
) -> None:
    response = client.get(REFRESH, headers=HTMX)

    assert b'href="/admin/login/?next=%2Fadmin%2Fexpvar%2Fvariable%2F"' in response.content


def test_stop_polling_answer_replaces_the_stopped_notice_out_of_band(client: Client) -> None:
    response = client.get(REFRESH, headers=HTMX)

    assert b'id="expvar-stopped"' in response.content
    assert b'hx-swap-oob="true"' in response.content


def test_stop_polling_answer_is_not_cached(client: Client) -> None:
    response = client.get(REFRESH, headers=HTMX)

    assert "no-cache" in response["Cache-Control"]


def test_htmx_poll_is_answered_under_the_login_required_middleware(
    client: Client, settings: Any
) -> None:
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
    ]

    response = client.get(REFRESH, headers=HTMX)

    assert response.status_code == 286


def test_htmx_poll_with_the_permission_gets_the_fragments(viewer_client: Client) -> None:
    response = viewer_client.get(REFRESH, headers=HTMX)

    assert response.status_code == 200
    assert b'id="expvar-summary"' in response.content
