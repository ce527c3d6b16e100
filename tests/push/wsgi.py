from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.push.gunicorn_settings")
application = get_wsgi_application()

# One count per process that loads the application: with --preload that is gunicorn's master,
# before it forks, so the workers inherit a buffer holding it, which they must not write again.
from tests.push.views import counted  # noqa: E402

counted.add(1)
