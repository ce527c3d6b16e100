from __future__ import annotations

import asyncio
import threading

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path


async def census(request: HttpRequest) -> JsonResponse:
    """How many threads and event-loop tasks this server process has (tests only)."""
    return JsonResponse({"threads": threading.active_count(), "tasks": len(asyncio.all_tasks())})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("census", census),
    path("", include("expvar.urls_async")),
]
