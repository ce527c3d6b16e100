from __future__ import annotations

import os

from django.contrib import admin
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path

from demo_site.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("traffic/", include("traffic.urls")),
    # Under uvicorn (demo_site.asgi) the endpoints are async views; under WSGI, sync ones.
    path("", include("expvar.urls_async" if os.environ.get("DEMO_ASGI") else "expvar.urls")),
]

# runserver serves static files itself; this lets gunicorn serve them too (with DEBUG on only),
# so the README's several-workers recipe shows the admin page with its scripts and styles.
urlpatterns += staticfiles_urlpatterns()
