"""The rows a page or refresh sends: every row for a page, only the changed cells for a refresh.

Rows are rendered in one pass of ``_rows.html``, which marks where each row and each cell ends;
each part (the ``<tr>`` tag, every cell) is digested. What a page shows is remembered in
Django's default cache under the page's random token, as the digests and a random id of the
response that showed them; a refresh that names that token and id gets only the parts whose
digest changed. Anything else (an unknown or expired token, another id, other rows, a cache
that forgets or fails, as a process that never served the page has no entry) gets every row:
a refresh may be larger than it needs to be, never stale.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from expvar.dashboard.context import AppSection, Dashboard

logger = logging.getLogger("expvar")

ROW_MARK = "<!--expvar:row-->"
CELL_MARK = "<!--expvar:cell-->"
ROW_ID_PREFIX = "expvar-v-"
# Seconds a page's digests are kept after its last page or refresh: past the longest interval
# the page offers (60 s) a few times over. A page polled less often gets every row.
REMEMBER_FOR = 300
CACHE_PREFIX = "expvar:dashboard:shown:"
DIGEST_SIZE = 8
# How many open values a refresh renders leaves for (each costs 13 characters of the URL).
MAX_OPEN = 200
_TOKEN = re.compile(r"[0-9a-f]{16}")
_OPEN_ID = re.compile(r"[0-9a-f]{12}")


@dataclass(frozen=True)
class Rows:
    """The rows of one page or refresh, per section, and how the refresh was decided."""

    sections: list[tuple[AppSection, SafeString]]
    # The id the page sends back with its next refresh, and "full" or "changes".
    state: str
    kind: str


def new_token() -> str:
    """Return a random token naming one page, or one response's rows."""
    return secrets.token_hex(DIGEST_SIZE)


def digest(text: str, size: int = DIGEST_SIZE) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


def render_rows(request: HttpRequest, dashboard: Dashboard, page: str | None = None) -> Rows:
    """Render the rows for the new page ``page``, or for a refresh: of the page ``?page=``,
    showing the response ``?shown=`` and the values ``?open=`` (row ids without the prefix)."""
    since, open_rows = "", frozenset[str]()
    if page is None:
        page, since = _token(request, "page"), _token(request, "shown")
        opened = [i for i in request.GET.get("open", "").split(",") if _OPEN_ID.fullmatch(i)]
        open_rows = frozenset(ROW_ID_PREFIX + i for i in opened[:MAX_OPEN])
    reports = [report for section in dashboard.sections for report in section.reports]
    context = {"dashboard": dashboard, "reports": reports, "open_rows": open_rows}
    chunks = render_to_string("expvar/dashboard/_rows.html", context, request=request)
    # The last chunk is what follows the last row's mark: a newline.
    rows = [chunk.split(CELL_MARK) for chunk in chunks.split(ROW_MARK)[:-1]]
    # What this response leaves the page showing: its id, which rows (each <tr> tag starts with
    # its id, as _rows.html writes it), each part's digest.
    state = new_token()
    layout = digest("\n".join(parts[0].split('"', 2)[1] for parts in rows)).hex()
    digests = [[digest(part) for part in parts] for parts in rows]
    entry = None
    try:
        if page:
            if since:
                entry = cache.get(CACHE_PREFIX + page)
            current = {"state": state, "layout": layout, "digests": digests}
            cache.set(CACHE_PREFIX + page, current, REMEMBER_FOR)
    except Exception:  # a cache that fails costs a full refresh, not the refresh
        logger.warning("expvar dashboard: the cache failed; sending every row", exc_info=True)
    previous = None
    if (
        isinstance(entry, Mapping)
        and (entry.get("state"), entry.get("layout")) == (since, layout)
        and isinstance(entry.get("digests"), list)
    ):
        previous = entry["digests"]
    # Every row, unless the page shows these rows in as many parts (another version's may not).
    if previous is None or list(map(len, previous)) != list(map(len, digests)):
        sent = ["".join(parts) for parts in rows]
    else:
        sent = [_changes(*row) for row in zip(rows, previous, digests, strict=True)]
    # Each part was rendered, and escaped, by the template.
    remaining = iter(sent)
    sections = [
        (section, SafeString("".join(itertools.islice(remaining, len(section.reports)))))
        for section in dashboard.sections
    ]
    return Rows(sections, state, "full" if previous is None else "changes")


def _token(request: HttpRequest, key: str) -> str:
    value = request.GET.get(key, "")
    return value if _TOKEN.fullmatch(value) else ""


def _changes(parts: list[str], previous: list[bytes], current: list[bytes]) -> str:
    # A changed row is sent as its <tr> tag, the cells that changed and its end tag ("" when
    # nothing in it changed); the page keeps the rest of the row as it is.
    if previous == current:
        return ""
    cells = zip(parts[1:-1], previous[1:-1], current[1:-1], strict=True)
    return parts[0] + "".join(part for part, old, new in cells if old != new) + parts[-1]
