from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse

import expvar.admin
from expvar.admin import VariableAdmin
from expvar.models import Variable
from tests.admin.conftest import DASHBOARD


@pytest.fixture
def fresh_default_site(monkeypatch: pytest.MonkeyPatch) -> Iterator[AdminSite]:
    """Re-import expvar.admin against an empty default site, as a new process would."""
    site = AdminSite()
    monkeypatch.setattr(admin, "site", site)
    original = dict(vars(expvar.admin))
    yield site
    # Put back the module the rest of the suite imported (its VariableAdmin class).
    vars(expvar.admin).update(original)


def test_dashboard_url_has_the_contract_name() -> None:
    assert reverse("admin:expvar_variable_changelist") == DASHBOARD


def test_admin_index_lists_expvar_variables_for_a_viewer(viewer_client: Client) -> None:
    response = viewer_client.get("/admin/")

    apps = {app["app_label"]: app for app in response.context["app_list"]}
    assert apps["expvar"]["name"] == "Expvar"
    assert [(m["name"], m["admin_url"]) for m in apps["expvar"]["models"]] == [
        ("Variables", DASHBOARD)
    ]


def test_admin_index_hides_expvar_from_staff_without_the_permission(
    staff_client: Client,
) -> None:
    response = staff_client.get("/admin/")

    assert "expvar" not in {app["app_label"] for app in response.context["app_list"]}


def test_entry_offers_no_add_link(viewer_client: Client) -> None:
    response = viewer_client.get("/admin/")

    expvar_app = next(a for a in response.context["app_list"] if a["app_label"] == "expvar")
    assert expvar_app["models"][0]["add_url"] is None


@pytest.mark.parametrize("view", ["add", "change", "delete", "history"])
def test_no_object_views_exist(view: str) -> None:
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:expvar_variable_{view}", args=["1"] if view != "add" else [])


def test_superuser_may_only_view(rf: RequestFactory, superuser: Any) -> None:
    request = rf.get("/")
    request.user = superuser
    model_admin = VariableAdmin(Variable, admin.site)

    assert model_admin.get_model_perms(request) == {
        "add": False,
        "change": False,
        "delete": False,
        "view": True,
    }


def test_expvar_admin_false_leaves_the_default_site_alone(
    fresh_default_site: AdminSite, settings: Any
) -> None:
    settings.EXPVAR_ADMIN = False

    importlib.reload(expvar.admin)

    assert not fresh_default_site.is_registered(Variable)


def test_expvar_admin_true_registers_on_the_default_site(
    fresh_default_site: AdminSite, settings: Any
) -> None:
    settings.EXPVAR_ADMIN = True

    importlib.reload(expvar.admin)

    assert fresh_default_site.is_registered(Variable)


@pytest.mark.urls("tests.admin.urls")
def test_custom_admin_site_serves_the_dashboard(superuser_client: Client) -> None:
    response = superuser_client.get("/ops/expvar/variable/")

    assert response.status_code == 200
    assert b'hx-get="/ops/expvar/variable/refresh/"' in response.content


@pytest.mark.urls("tests.admin.urls")
def test_custom_admin_site_uses_its_own_context(superuser_client: Client) -> None:
    response = superuser_client.get("/ops/expvar/variable/")

    assert [app["app_url"] for app in response.context["available_apps"]] == ["/ops/expvar/"]


@pytest.mark.urls("tests.admin.urls")
def test_custom_admin_site_sends_anonymous_users_to_its_own_login(client: Client) -> None:
    response = client.get("/ops/expvar/variable/refresh/")

    assert response["Location"].startswith("/ops/login/")


def test_model_state_matches_the_migrations(db: None) -> None:
    call_command("makemigrations", "expvar", "--check", "--dry-run", verbosity=0)
