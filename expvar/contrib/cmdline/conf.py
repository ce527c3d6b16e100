"""``EXPVAR_CMDLINE_REDACT``, parsed once into what ``redact_argv`` needs, with its issues."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.signals import setting_changed

from expvar.issues import Issue


@dataclass(frozen=True)
class Redaction:
    enabled: bool = True
    # Option-name patterns on top of the defaults.
    extra: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = ()


def parse_redaction(value: Any) -> Redaction:
    """Read an ``EXPVAR_CMDLINE_REDACT`` value; malformed entries are reported and left out."""
    if isinstance(value, bool):
        return Redaction(enabled=value)
    if not isinstance(value, (list, tuple)):
        hint = (
            f"Write EXPVAR_CMDLINE_REDACT = [{value!r}] to add that option-name pattern to the "
            "defaults."
            if isinstance(value, str)
            else "Remove it (redaction is on by default), set it to False to publish the command "
            'line unchanged, or list extra option-name patterns: ["^db-", "dsn"].'
        )
        message = (
            "EXPVAR_CMDLINE_REDACT must be True, False, or a list of regular expressions, not "
            f"{value!r}. Until it is fixed the default redaction applies."
        )
        return Redaction(issues=(Issue("expvar.E020", message, hint),))
    extra: list[str] = []
    issues: list[Issue] = []
    for entry in value:
        if not isinstance(entry, str):
            issues.append(
                Issue(
                    "expvar.E021",
                    f"EXPVAR_CMDLINE_REDACT entry {entry!r} is not a string; it is ignored.",
                    'Each entry is a regular expression for option names, such as "^db-".',
                )
            )
            continue
        try:
            re.compile(entry)
            # redact.py joins the patterns in an alternation, where a global flag is an error.
            re.compile(f"(?:{entry})")
        except re.error as error:
            issues.append(
                Issue(
                    "expvar.E022",
                    f"EXPVAR_CMDLINE_REDACT entry {entry!r} is not a valid regular expression "
                    f"({error}); it is ignored.",
                    "Fix the pattern; use re.escape() for literal text. Matching is already "
                    "case-insensitive, and a global flag such as (?i) cannot be used here.",
                )
            )
        else:
            extra.append(entry)
    return Redaction(extra=tuple(extra), issues=tuple(issues))


@functools.cache
def get_redaction() -> Redaction:
    """Return the parsed setting, parsing it on first use after start-up or a change."""
    return parse_redaction(getattr(settings, "EXPVAR_CMDLINE_REDACT", True))


def check_cmdline_redact(**kwargs: Any) -> list[CheckMessage]:
    return [issue.as_check() for issue in get_redaction().issues]


def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "EXPVAR_CMDLINE_REDACT":
        get_redaction.cache_clear()


setting_changed.connect(_forget, dispatch_uid="expvar.contrib.cmdline.conf.forget")
