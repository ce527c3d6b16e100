"""The demo's push variables. With EXPVAR_STORE pointing at Redis they add up across workers."""

from __future__ import annotations

import expvar

page_views = expvar.Map("page_views")  # by page
orders_placed = expvar.Int("orders_placed")
revenue = expvar.Float("revenue")  # exact to 1e-9, however many workers add to it
last_order = expvar.String("last_order")
ticks = expvar.Int("ticks")  # one per second per serving process
pending_jobs = expvar.Int("pending_jobs")  # a gauge: set, not added
