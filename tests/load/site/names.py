"""What the site publishes, for the site's apps and for the tests that check the answers."""

from __future__ import annotations

ORDINARY_COUNT = 1000
SECRET_KEY = "load-site-secret-7f3c9a1e-never-shown"

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE_VARIABLE = "{{ settings.SECRET_KEY }}"
TEMPLATE_TAG = "{% debug %}"
QUOTES = "quote\"'s`"
SEPARATORS = "line\u2028para\u2029end"


def ordinary_name(number: int) -> str:
    return f"ordinary_{number:04d}"


def ordinary_names() -> list[str]:
    return [ordinary_name(number) for number in range(ORDINARY_COUNT)]
