"""Hide secrets in a command line, as ``EXPVAR_CMDLINE_REDACT`` says: values of secret-named
options, and passwords in URLs."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.conf import settings
from django.core import checks
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
# A URL up to its password: a scheme starting a word, "://", a user name (maybe empty), ":".
URL_USER = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^:@/\s]*:")
# A password runs up to the last "@" before a host free of "@" up to "/", "?", "#" or a space,
# so an unescaped "@" inside it is hidden too.
PASSWORD = re.compile(r"(?:[^@/?#\s]*[/?#])*[^/?#\s]*@")
SPACE = re.compile(r"\s")

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


@functools.cache
def redaction() -> tuple[re.Pattern[str] | None, tuple[Issue, ...]]:
    """Return the secret option names' pattern (None: redaction is off) and the setting's
    issues; malformed entries are reported and left out."""
    value = getattr(settings, "EXPVAR_CMDLINE_REDACT", True)
    if value is False:
        return None, ()
    patterns, issues = list(DEFAULT_PATTERNS), []
    if value is True:
        value = ()
    elif not isinstance(value, (list, tuple)):
        message = (
            "EXPVAR_CMDLINE_REDACT must be True, False, or a list of regular expressions, not "
            f"{value!r}. Until it is fixed the default redaction applies."
        )
        hint = STRING_HINT.format(value) if isinstance(value, str) else TYPE_HINT
        issues.append(Issue("expvar.E020", message, hint))
        value = ()
    for entry in value:
        if not isinstance(entry, str):
            message = f"EXPVAR_CMDLINE_REDACT entry {entry!r} is not a string; it is ignored."
            hint = 'Each entry is a regular expression for option names, such as "^db-".'
            issues.append(Issue("expvar.E021", message, hint))
            continue
        try:
            # Alone, then as the patterns are joined: in an alternation a global flag is an error.
            re.compile(entry)
            re.compile(f"(?:{entry})")
        except re.error as error:
            message = (
                f"EXPVAR_CMDLINE_REDACT entry {entry!r} is not a valid regular expression "
                f"({error}); it is ignored."
            )
            issues.append(Issue("expvar.E022", message, PATTERN_HINT))
        else:
            patterns.append(entry)
    secret = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return secret, tuple(issues)


def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "EXPVAR_CMDLINE_REDACT":
        redaction.cache_clear()


setting_changed.connect(_forget, dispatch_uid="expvar.contrib.cmdline.forget")


@checks.register()
def check_cmdline_redact(**kwargs: Any) -> list[checks.CheckMessage]:
    return [issue.as_check() for issue in redaction()[1]]


@functools.lru_cache(maxsize=16)  # a process's argv rarely changes: once per poll is waste
def redact_argv(argv: tuple[str, ...], secret: re.Pattern[str]) -> tuple[str, ...]:
    """Return ``argv`` with values of options whose name ``secret`` finds replaced by
    ``REDACTED``, and passwords in URLs too."""
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
    return tuple(redacted)


def _redact_arg(arg: str, secret: re.Pattern[str]) -> str:
    # Patterns see the bare name: "db-password" for "--db-password=...". A value may itself be
    # an assignment, as in gunicorn's "--env=DB_PASSWORD=...", so names are read left to right.
    position = 0
    while name := NAME_EQUALS.match(arg, position):
        position = name.end()
        if secret.search(name.group(1)):
            return arg[:position] + REDACTED
    return arg[:position] + _redact_url_passwords(arg[position:])


def _redact_url_passwords(arg: str) -> str:
    # Searches only move forward, never back over what was ruled out, so a long argument costs
    # linear time: a password ends at an "@", where the next search starts, and a URL without
    # one means none follows before the next space, where the search goes on.
    if "@" not in arg:
        return arg
    parts: list[str] = []
    copied = searched = 0  # arg[:copied] is in parts; no password starts before searched
    while url := URL_USER.search(arg, searched):
        if password := PASSWORD.match(arg, url.end()):
            parts += [arg[copied : url.end()], REDACTED]
            copied = searched = password.end() - 1  # at the "@": the host is kept
        elif space := SPACE.search(arg, url.end()):
            searched = space.end()
        else:
            break
    return "".join(parts) + arg[copied:]
