"""Extra panels other parts of a project add to the dashboard, below the collisions panel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from expvar.resolution import Resolution

# Return None to leave the panel out of this page or refresh (nothing to show).
PanelContext = Callable[[HttpRequest, Resolution], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel:
    template_name: str
    context: PanelContext
    # Static paths of scripts the panel needs, loaded once with the page (no inline scripts).
    scripts: tuple[str, ...] = ()


# By template name: registering a template again replaces it in place, so AppConfig.ready()
# running twice (as it can in tests) does not show a panel twice.
_panels: dict[str, Panel] = {}


def register_panel(
    template_name: str, context: PanelContext, *, scripts: Sequence[str] = ()
) -> None:
    """Render ``template_name`` with ``context(request, resolution)`` on every page and refresh."""
    _panels[template_name] = Panel(template_name, context, tuple(scripts))


def registered_panels() -> list[Panel]:
    """Return the registered panels in registration order."""
    return list(_panels.values())
