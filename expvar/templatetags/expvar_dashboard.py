from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from expvar.dashboard.context import AppSection
from expvar.dashboard.rows import render_sections

register = template.Library()


@register.simple_tag
def expvar_rows(section: AppSection) -> SafeString:
    """Render one app's rows for the dashboard page."""
    return render_sections([section])


@register.simple_tag
def expvar_refresh_rows(sections: Iterable[AppSection]) -> SafeString:
    """Render every app's moving cells, out of band, for a refresh."""
    return render_sections(sections, refresh=True)
