"""The dashboard's live body, rendered by a page and sent again by every refresh: one read with
its panels and rows, every row for a page and only the changed cells for a refresh.

``_rows.html`` marks where each row and cell ends; each part's digest is remembered in the
default cache under the page's token with the response's id. A refresh naming both gets the
parts whose digest changed; anything else (unknown token, another id, other rows, a cache that
forgets or fails) gets every row: never stale (docs/admin.md, "How the refresh works")."""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import secrets
from typing import Any, cast

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from expvar.dashboard.context import build_dashboard
from expvar.dashboard.panels import registered_panels
from expvar.dashboard.values import show
from expvar.reports import VariableReport
from expvar.resolution import resolve

logger = logging.getLogger("expvar")

ROW_MARK = "<!--expvar:row-->"
CELL_MARK = "<!--expvar:cell-->"
# Seconds a page's digests are kept after its last page or refresh: past the longest interval
# the page offers (60 s) a few times over. A page polled less often gets every row.
REMEMBER_FOR = 300
# How many open values a refresh renders leaves for (each costs 13 characters of the URL).
MAX_OPEN = 200
_TOKEN = re.compile(r"[0-9a-f]{16}")
Digests = list[list[bytes]]


def digest(text: str, size: int = 8) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


def row_id(report: VariableReport) -> str:
    """Return the row's DOM id: stable across refreshes, whatever characters the name holds."""
    d = report.declaration
    return "expvar-v-" + digest(f"{d.app.label}\0{d.origin}\0{d.name}\0{d.position}", 6).hex()


def live_context(request: HttpRequest, page: str | None = None) -> dict[str, Any]:
    """Read every variable once and return what the live body renders: for the new page
    ``page``, or for a refresh of the page ``?page=`` showing the response ``?shown=`` and the
    values ``?open=`` (row ids without their prefix)."""
    since, opened = "", set[str]()
    if page is None:
        page, since = _token(request, "page"), _token(request, "shown")
        opened = {f"expvar-v-{i}" for i in request.GET.get("open", "").split(",")[:MAX_OPEN]}
    resolution = resolve()
    dashboard = build_dashboard(resolution)
    rows = []
    for report in [report for _, reports in dashboard["sections"] for report in reports]:
        dom_id = row_id(report)
        # A long value the page has not opened comes as plain text, without its leaves.
        shown = show(report.text, report.name, leaves=dom_id in opened)
        rows.append((report, dom_id, dashboard["shared"].get(report.name), shown))
    rendered = render_to_string("expvar/dashboard/_rows.html", {"rows": rows}, request=request)
    # The last chunk is what follows the last row's mark: a newline.
    parts = [chunk.split(CELL_MARK) for chunk in rendered.split(ROW_MARK)[:-1]]
    digests = [[digest(part) for part in row] for row in parts]
    # Which rows, in how many parts each (another version's templates may cut them otherwise).
    layout = digest(repr([(row[1], len(cut)) for row, cut in zip(rows, parts, strict=True)]))
    state = secrets.token_hex(8)
    previous = _swap(page, since, (state, layout, digests))
    if previous is None:
        sent = ["".join(cut) for cut in parts]
    else:
        sent = [_changes(*row) for row in zip(parts, previous, digests, strict=True)]
    remaining = iter(sent)  # each part was rendered, and escaped, by the template
    return {
        "dashboard": dashboard,
        "sections": [
            (app, reports, SafeString("".join(itertools.islice(remaining, len(reports)))))
            for app, reports in dashboard["sections"]
        ],
        # The id the page sends back with its next refresh, and how this one was decided.
        "shown": state,
        "refresh": "full" if previous is None else "changes",
        "panels": [
            render_to_string(panel.template_name, context, request=request)
            for panel in registered_panels()
            if (context := panel.context(request, resolution)) is not None
        ],
    }


def _token(request: HttpRequest, key: str) -> str:
    value = request.GET.get(key, "")
    return value if _TOKEN.fullmatch(value) else ""


def _swap(page: str, since: str, shows: tuple[str, bytes, Digests]) -> Digests | None:
    # Remember what this response leaves the page showing (id, layout, digests). Return the
    # digests of what the page shows now if it names the last response and has the same rows.
    if not page:
        return None
    try:
        previous = cache.get(f"expvar:dashboard:shown:{page}") if since else None
        cache.set(f"expvar:dashboard:shown:{page}", shows, REMEMBER_FOR)
    except Exception:  # a cache that fails costs a full refresh, not the refresh
        logger.warning("expvar dashboard: the cache failed; sending every row", exc_info=True)
        return None
    if isinstance(previous, tuple) and previous[:2] == (since, shows[1]):
        return cast(Digests, previous[2])
    return None


def _changes(parts: list[str], previous: list[bytes], current: list[bytes]) -> str:
    # A changed row is sent as its <tr> tag, the cells that changed and its end tag ("" when
    # nothing in it changed); the page keeps the rest of the row as it is.
    if previous == current:
        return ""
    cells = zip(parts[1:-1], previous[1:-1], current[1:-1], strict=True)
    return parts[0] + "".join(part for part, old, new in cells if old != new) + parts[-1]
