"""Create the demo's admin user (once) and print how to log in."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = os.environ.get("DEMO_ADMIN_USER", "admin")
PASSWORD = os.environ.get("DEMO_ADMIN_PASSWORD", "expvar-demo")


class Command(BaseCommand):
    help = "Create the demo admin user if it does not exist and print its credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        self.stdout.write(
            f"Demo admin: user {USERNAME!r}, password {PASSWORD!r} "
            f"({'created' if created else 'already there'}).\n"
            "Open http://127.0.0.1:8000/admin/ (Expvar > Variables) "
            "and http://127.0.0.1:8000/debug/vars"
        )
