from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        format_html(
            "<!doctype html><title>django-expvar demo</title>"
            "<h1>django-expvar demo</h1><ul>"
            '<li><a href="{}">/debug/vars</a>: the JSON every expvar monitor reads</li>'
            '<li><a href="{}">Expvar > Variables</a> in the admin</li>'
            '<li><a href="{}">Traffic</a>: push counters you can move by hand</li></ul>',
            "/debug/vars",
            "/admin/expvar/variable/",
            "/traffic/",
        )
    )
