"""Extra panels other parts of a project add to the dashboard, below the collisions panel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

PanelContext = Callable[[HttpRequest], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    template_name: str
    context: PanelContext


_panels: list[Panel] = []


def register_panel(template_name: str, context: PanelContext) -> None:
    """Render ``template_name`` with ``context(request)`` on the dashboard and each refresh."""
    # Registering a template again replaces it in place, so AppConfig.ready() running twice
    # (as it can in tests) does not show a panel twice.
    panel = Panel(template_name, context)
    for index, existing in enumerate(_panels):
        if existing.template_name == template_name:
            _panels[index] = panel
            return
    _panels.append(panel)


def registered_panels() -> list[Panel]:
    """Return the registered panels in registration order."""
    return list(_panels)


def render_panels(request: HttpRequest) -> list[SafeString]:
    """Render every registered panel for this request, in registration order."""
    return [
        render_to_string(panel.template_name, panel.context(request), request=request)
        for panel in _panels
    ]
