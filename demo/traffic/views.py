from __future__ import annotations

import os

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join

import expvar.push
from traffic import counters
from traffic.ticker import place_order


def index(request: HttpRequest) -> HttpResponse:
    counters.page_views.add("traffic", 1)
    shown = []
    for variable in (
        counters.page_views,
        counters.orders_placed,
        counters.revenue,
        counters.last_order,
        counters.ticks,
        counters.pending_jobs,
    ):
        try:
            shown.append((variable.name, variable.value()))
        except expvar.push.StoreUnavailable as exc:
            # Updates never fail while a shared store is away; reads say so.
            shown.append((variable.name, f"unavailable: {exc}"))
    return HttpResponse(
        format_html(
            "<!doctype html><title>Traffic</title><h1>Push variables</h1>"
            "<p>Served by process {}. Each link moves a counter; so does a ticker thread in "
            'every serving process. Watch them at <a href="/debug/vars">/debug/vars</a> '
            'or in the <a href="/admin/expvar/variable/">dashboard</a>.</p>'
            '<ul><li><a href="order">Place an order</a></li>'
            '<li><a href="burst">Add 100 page views</a></li></ul><dl>{}</dl>',
            os.getpid(),
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", shown),
        )
    )


def order(request: HttpRequest) -> HttpResponse:
    counters.page_views.add("order", 1)
    place_order(f"a click (pid {os.getpid()})")
    return redirect("traffic:index")


def burst(request: HttpRequest) -> HttpResponse:
    for _ in range(100):
        counters.page_views.add("burst", 1)
    return redirect("traffic:index")
