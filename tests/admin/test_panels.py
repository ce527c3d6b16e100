from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client

from expvar.dashboard import panels
from expvar.resolution import Resolution
from tests.admin.conftest import DASHBOARD, HTMX, REFRESH

TEMPLATES = Path(__file__).resolve().parent.parent / "dashboardapp" / "templates"


@pytest.fixture
def no_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(panels, "_panels", {})


@pytest.fixture
def panel_templates(settings: Any) -> None:
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEMPLATES]}]


def first_context(request: HttpRequest, resolution: Resolution) -> dict[str, Any]:
    return {"label": "first <panel>"}


def second_context(request: HttpRequest, resolution: Resolution) -> dict[str, Any]:
    return {"label": f"second for {request.user}, {len(resolution.variables) > 0}"}


def absent_context(request: HttpRequest, resolution: Resolution) -> None:
    return None


@pytest.mark.usefixtures("no_panels")
def test_panels_keep_registration_order() -> None:
    panels.register_panel("b.html", second_context)
    panels.register_panel("a.html", first_context)

    assert [p.template_name for p in panels.registered_panels()] == ["b.html", "a.html"]


@pytest.mark.usefixtures("no_panels")
def test_registering_a_template_again_replaces_it_in_place() -> None:
    panels.register_panel("a.html", first_context)
    panels.register_panel("b.html", first_context)
    panels.register_panel("a.html", second_context)

    assert [(p.template_name, p.context) for p in panels.registered_panels()] == [
        ("a.html", second_context),
        ("b.html", first_context),
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("no_panels", "panel_templates")
def test_page_renders_panels_after_the_collisions_panel(viewer_client: Client) -> None:
    panels.register_panel("dashboardapp/panel.html", first_context)
    panels.register_panel("dashboardapp/other_panel.html", second_context)

    html = viewer_client.get(DASHBOARD).content.decode()

    collisions = html.index('id="expvar-collisions"')
    first = html.index("first &lt;panel&gt;")
    second = html.index("second for viewer, True")
    assert collisions < first < second


@pytest.mark.django_db
@pytest.mark.usefixtures("no_panels", "panel_templates")
def test_refresh_renders_panels(viewer_client: Client) -> None:
    panels.register_panel("dashboardapp/panel.html", first_context)

    html = viewer_client.get(REFRESH, headers=HTMX).content.decode()

    assert '<div id="expvar-panel-1" class="expvar-extra-panel">' in html
    assert "first &lt;panel&gt;" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("no_panels", "panel_templates")
def test_panel_whose_context_is_none_is_left_out(viewer_client: Client) -> None:
    panels.register_panel("dashboardapp/panel.html", absent_context)

    html = viewer_client.get(DASHBOARD).content.decode()

    assert "data-test-panel" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("no_panels", "panel_templates")
def test_page_loads_each_panels_scripts_from_static_files(viewer_client: Client) -> None:
    panels.register_panel("dashboardapp/panel.html", first_context, scripts=["x/panel.js"])

    html = viewer_client.get(DASHBOARD).content.decode()

    assert '<script src="/static/x/panel.js" defer>' in html
