from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

DASHBOARD = "/admin/expvar/variable/"
REFRESH = "/admin/expvar/variable/refresh/"
HTMX = {"HX-Request": "true"}


def grant_view(user: User) -> User:
    user.user_permissions.add(Permission.objects.get(codename="view_variable"))
    return user


@pytest.fixture
def viewer(db: None, django_user_model: Any) -> User:
    # No passwords anywhere: hashing one costs about a second here, and force_login needs none.
    user = django_user_model.objects.create_user("viewer", is_staff=True)
    return grant_view(user)


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def staff_client(db: None, django_user_model: Any) -> Client:
    user = django_user_model.objects.create_user("staff", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser(db: None, django_user_model: Any) -> User:
    return django_user_model.objects.create_user("boss", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(superuser: User) -> Client:
    client = Client()
    client.force_login(superuser)
    return client
