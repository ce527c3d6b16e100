"""Variables that attack every place they are shown: the endpoint, the dashboard, the command line
(and the Prometheus endpoint once it is mounted), on a real server.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from tests.load.admin_session import AdminSession
from tests.load.poller import Answer, fetch, strict_loads
from tests.load.servers import Gunicorn
from tests.load.site.names import (
    IMG,
    QUOTES,
    SCRIPT,
    SECRET_KEY,
    SEPARATORS,
    TEMPLATE_TAG,
    TEMPLATE_VARIABLE,
)
from tests.load.tally import Tally

pytestmark = pytest.mark.load

PASSWORD = "load-suite-password"
# Published, exactly so: strings as they are, NaN and infinities as null.
PUBLISHED: dict[str, Any] = {
    "healthy_first": "first",
    "healthy_last": "last",
    "xss_script_value": SCRIPT,
    "xss_img_value": IMG,
    SCRIPT: "named by a script tag",
    IMG: "named by an img tag",
    TEMPLATE_VARIABLE: TEMPLATE_TAG,
    "template_value": TEMPLATE_VARIABLE + TEMPLATE_TAG,
    QUOTES: QUOTES,
    SEPARATORS: SEPARATORS,
    "nan": None,
    "non_finite": {"nan": None, "inf": None},
}
# Errors: left out of the answer.
LEFT_OUT = {"raises_unprintable", "recursion", "self_list", "fifty_mb", "returns_unprintable"}
# Left out, or published as one of these.
EITHER: dict[str, list[Any]] = {"huge_int": [str(10**400)], "generator": [[0, 1, 2]]}
# What a body served as JSON must never hold raw: a browser sniffing it as HTML runs nothing.
RAW_FORBIDDEN = [b"<", b">", b"&", "\u2028".encode(), "\u2029".encode()]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    server = Gunicorn(tmp_path_factory.mktemp("hostile"), workers=1, threads=4, apps=["hostile"])
    server.env["DJANGO_SUPERUSER_PASSWORD"] = PASSWORD
    for command in (
        ["migrate", "--noinput"],
        ["createsuperuser", "--noinput", "--username", "boss", "--email", "boss@example.com"],
    ):
        done = server.manage(*command)
        assert done.returncode == 0, done.stderr
    server.start()
    yield server
    server.stop()


def publication_problems(body: dict[str, Any]) -> list[str]:
    problems = [
        f"{name!r}: {body.get(name, '<missing>')!r}, expected {value!r}"
        for name, value in PUBLISHED.items()
        if body.get(name, ...) != value
    ]
    problems += [f"{name!r} published: {str(body[name])[:80]!r}" for name in LEFT_OUT & set(body)]
    problems += [
        f"{name!r} published as {str(body[name])[:80]!r}"
        for name, allowed in EITHER.items()
        if name in body and body[name] not in allowed
    ]
    return problems


def endpoint_problems(answer: Answer) -> list[str]:
    if answer.status != 200:
        return [f"status {answer.status}: {answer.body[:300]!r}"]
    raw = [token.decode() for token in RAW_FORBIDDEN if token in answer.body]
    try:
        body = strict_loads(answer.body)
    except ValueError as exc:
        return [f"not strict JSON: {exc}", *(f"raw {token!r} in the body" for token in raw)]
    return publication_problems(body) + [f"raw {token!r} in the body" for token in raw]


def test_endpoint_publishes_every_healthy_variable_and_nothing_unsafe(
    hostile_site: Gunicorn, tally: Tally
) -> None:
    answers = [fetch(f"{hostile_site.base}/debug/vars", timeout=10) for _ in range(3)]
    tally.record_polls([answer.status for answer in answers])
    for answer in answers:
        problems = endpoint_problems(answer)
        assert not problems, "\n".join([*problems, hostile_site.log_tail()])


def metrics_path() -> str | None:
    """The Prometheus endpoint's path, once it is mounted by expvar.urls."""
    try:
        return reverse("expvar-metrics")
    except NoReverseMatch:
        return None


def test_metrics_endpoint_when_mounted_serves_valid_lines(
    hostile_site: Gunicorn, tally: Tally
) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    path = metrics_path()
    answers = [fetch(f"{hostile_site.base}{path or '/debug/vars'}", timeout=10)]
    tally.record_polls([answers[0].status])
    assert answers[0].status == 200, answers[0].body[:300]
    if path is not None:
        assert answers[0].headers.get("Content-Type", "").startswith("text/plain")
        families = list(text_string_to_metric_families(answers[0].body.decode()))
        assert families, "no metric at all"
    else:  # not built yet: /debug/vars stands in, so the hostile site is still checked
        assert endpoint_problems(answers[0]) == []


class Page(HTMLParser):
    """What a browser would make of a page: its tags, attributes and text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def names(self) -> set[str]:
        return {
            str(attrs["data-expvar-name"]) for _, attrs in self.tags if "data-expvar-name" in attrs
        }


def page_problems(answer: Answer, names: set[str]) -> list[str]:
    """What is unsafe on a dashboard page, or missing from it (``names``: rows it must have)."""
    if answer.status != 200:
        return [f"status {answer.status}: {answer.body[:300]!r}"]
    html = answer.body.decode()
    page = Page(html)
    problems = [f"injected <img {attrs}>" for tag, attrs in page.tags if "onerror" in attrs]
    problems += [f"injected <script>{text}</script>" for text in page.scripts if "alert(1)" in text]
    problems += ["SECRET_KEY shown: template syntax evaluated"] * (SECRET_KEY in html)
    problems += [f"{text!r} not shown as text" for text in (TEMPLATE_VARIABLE, TEMPLATE_TAG)
                 if text not in html]  # fmt: skip
    problems += [f"no data-expvar-name={name!r}" for name in sorted(names - page.names())]
    return problems


def test_dashboard_shows_hostile_names_and_values_as_text(
    hostile_site: Gunicorn, tally: Tally
) -> None:
    session = AdminSession(hostile_site.base)
    assert session.log_in("boss", PASSWORD).status == 200
    dashboard = reverse("admin:expvar_variable_changelist")
    pages = [session.get(dashboard), session.get(f"{dashboard}refresh/", {"HX-Request": "true"})]
    tally.record_polls([page.status for page in pages])
    # The refresh partial carries values only: the rows' names are on the page already.
    for page, names in zip(pages, [set(PUBLISHED) | LEFT_OUT, set()], strict=True):
        problems = page_problems(page, names)
        assert not problems, "\n".join([*problems, hostile_site.log_tail()])
    errors = Page(pages[0].body.decode())
    assert any(attrs.get("id") == "expvar-errors" for _, attrs in errors.tags)
    for name in sorted(LEFT_OUT):
        assert name in pages[0].body.decode(), f"{name} not on the errors panel"


def test_command_line_prints_the_same_and_lists_every_variable(hostile_site: Gunicorn) -> None:
    printed = hostile_site.manage("expvar")
    assert printed.returncode == 0, printed.stderr
    assert publication_problems(strict_loads(printed.stdout)) == []

    listed = hostile_site.manage("expvar", "--list")
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stderr
    assert len(listed.stdout) < 1_000_000, "the listing dumps a value whole"
    for name in ["healthy_first", "healthy_last", *sorted(LEFT_OUT), SCRIPT, TEMPLATE_VARIABLE]:
        assert name in listed.stdout, f"{name!r} not listed"
