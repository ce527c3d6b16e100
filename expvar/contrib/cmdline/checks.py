"""System checks for ``EXPVAR_CMDLINE_REDACT``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.checks import CheckMessage, Error, register

from expvar.conf import settings
from expvar.contrib.cmdline.redact import pattern_error


@register()
def check_cmdline_redact(**kwargs: Any) -> list[CheckMessage]:
    return list(_check(settings.CMDLINE_REDACT))


def _check(value: Any) -> Iterable[CheckMessage]:
    if isinstance(value, bool):
        return
    if not isinstance(value, (list, tuple)):
        yield Error(
            f"EXPVAR_CMDLINE_REDACT must be True, False, or a list of regular expressions, "
            f"not {value!r}. Until it is fixed the default redaction applies.",
            hint=(
                f"Write EXPVAR_CMDLINE_REDACT = [{value!r}] to add that option-name pattern to "
                "the defaults."
                if isinstance(value, str)
                else "Remove it (redaction is on by default), set it to False to publish the "
                'command line unchanged, or list extra option-name patterns: ["^db-", "dsn"].'
            ),
            id="expvar.E020",
        )
        return
    for entry in value:
        if not isinstance(entry, str):
            yield Error(
                f"EXPVAR_CMDLINE_REDACT entry {entry!r} is not a string; it is ignored.",
                hint='Each entry is a regular expression for option names, such as "^db-".',
                id="expvar.E021",
            )
        elif (error := pattern_error(entry)) is not None:
            yield Error(
                f"EXPVAR_CMDLINE_REDACT entry {entry!r} is not a valid regular expression "
                f"({error}); it is ignored.",
                hint="Fix the pattern; use re.escape() for literal text. Matching is already "
                "case-insensitive, and a global flag such as (?i) cannot be used here.",
                id="expvar.E022",
            )
