"""Hide secrets in a command line, as ``EXPVAR_CMDLINE_REDACT`` says: values of secret-named
options, and passwords in URLs."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

from expvar.issues import Issue

REDACTED = "<redacted>"
# Searched (case-insensitively) anywhere in an option's name; they err towards hiding too much:
# "pass" also finds passwd and passphrase, "cred" credentials and creds.
DEFAULT_PATTERNS = (
    "pass", "pwd", "secret", "token", "key", "cred", "auth", "cookie", "private", "dsn",
)  # fmt: skip
OPTION = re.compile(r"-{1,2}([A-Za-z0-9_][\w.\-]*)")
# "--name=" or "NAME=" (a name without dashes starts with a letter or "_").
NAME_EQUALS = re.compile(r"(?:-{1,2}|(?=[A-Za-z_]))([A-Za-z0-9_][\w.\-]*)=")
# "scheme://user:" then the password: the shortest run up to an "@" followed by a host free of
# "@" up to "/", "?", "#", a space or the end. So an unescaped "@" or "/" inside a password is
# hidden too, and each of several URLs in one argument keeps its own host.
URL_PASSWORD = re.compile(
    r"((?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^:@/\s]*:)\S*?(?=@[^@/?#\s]*(?:[/?#\s]|$))"
)

TYPE_HINT = (
    "Remove it (redaction is on by default), set it to False to publish the command line "
    'unchanged, or list extra option-name patterns: ["^db-", "dsn"].'
)
STRING_HINT = (
    "Write EXPVAR_CMDLINE_REDACT = [{!r}] to add that option-name pattern to the defaults."
)
PATTERN_HINT = (
    "Fix the pattern; use re.escape() for literal text. Matching is already case-insensitive, "
    "and a global flag such as (?i) cannot be used here."
)


@dataclass(frozen=True)
class Redaction:
    enabled: bool = True
    extra: tuple[str, ...] = ()  # option-name patterns on top of the defaults
    issues: tuple[Issue, ...] = ()


def parse_redaction(value: Any) -> Redaction:
    """Read an ``EXPVAR_CMDLINE_REDACT`` value; malformed entries are reported and left out."""
    if isinstance(value, bool):
        return Redaction(enabled=value)
    if not isinstance(value, (list, tuple)):
        message = (
            "EXPVAR_CMDLINE_REDACT must be True, False, or a list of regular expressions, not "
            f"{value!r}. Until it is fixed the default redaction applies."
        )
        hint = STRING_HINT.format(value) if isinstance(value, str) else TYPE_HINT
        return Redaction(issues=(Issue("expvar.E020", message, hint),))
    extra: list[str] = []
    issues: list[Issue] = []
    for entry in value:
        if not isinstance(entry, str):
            message = f"EXPVAR_CMDLINE_REDACT entry {entry!r} is not a string; it is ignored."
            hint = 'Each entry is a regular expression for option names, such as "^db-".'
            issues.append(Issue("expvar.E021", message, hint))
            continue
        try:
            re.compile(entry)
            # redact_argv joins the patterns in an alternation, where a global flag is an error.
            re.compile(f"(?:{entry})")
        except re.error as error:
            message = (
                f"EXPVAR_CMDLINE_REDACT entry {entry!r} is not a valid regular expression "
                f"({error}); it is ignored."
            )
            issues.append(Issue("expvar.E022", message, PATTERN_HINT))
        else:
            extra.append(entry)
    return Redaction(extra=tuple(extra), issues=tuple(issues))


@functools.cache
def redaction_setting() -> Redaction:
    """Return the parsed ``EXPVAR_CMDLINE_REDACT``, parsed again after it changes."""
    return parse_redaction(getattr(settings, "EXPVAR_CMDLINE_REDACT", True))


def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "EXPVAR_CMDLINE_REDACT":
        redaction_setting.cache_clear()


setting_changed.connect(_forget, dispatch_uid="expvar.contrib.cmdline.forget")


def redact_argv(argv: Sequence[str], extra: tuple[str, ...] = ()) -> list[str]:
    """Return ``argv`` with secrets replaced by ``REDACTED``; ``extra`` adds name patterns."""
    secret = re.compile("|".join(f"(?:{p})" for p in (*DEFAULT_PATTERNS, *extra)), re.IGNORECASE)
    redacted: list[str] = []
    value_follows = False
    for arg in argv:
        if value_follows and not arg.startswith("--"):
            redacted.append(REDACTED)
            value_follows = False
        elif option := OPTION.fullmatch(arg):
            value_follows = bool(secret.search(option.group(1)))
            redacted.append(arg)
        else:
            value_follows = False
            redacted.append(_redact_arg(arg, secret))
    return redacted


def _redact_arg(arg: str, secret: re.Pattern[str]) -> str:
    # Patterns see the bare name: "db-password" for "--db-password=...". A value may itself be
    # an assignment, as in gunicorn's "--env=DB_PASSWORD=...", so names are read left to right.
    position = 0
    while name := NAME_EQUALS.match(arg, position):
        position = name.end()
        if secret.search(name.group(1)):
            return arg[:position] + REDACTED
    return arg[:position] + URL_PASSWORD.sub(rf"\g<1>{REDACTED}", arg[position:])
