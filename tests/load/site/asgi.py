from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.load.site.settings")
os.environ["EXPVAR_LOAD_ASGI"] = "1"  # the URLconf mounts the async endpoints
application = get_asgi_application()
