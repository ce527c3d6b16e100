"""System checks for ``EXPVAR_CMDLINE_REDACT``: what parsing it found."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, register

from expvar.contrib.cmdline.conf import get_redaction


@register()
def check_cmdline_redact(**kwargs: Any) -> list[CheckMessage]:
    return [issue.as_check() for issue in get_redaction().issues]
