"""Hide secrets in a command line: values of secret-named options, and passwords in URLs."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

REDACTED = "<redacted>"

# Searched (case-insensitively) anywhere in an option's name; they err towards hiding too much:
# "pass" also finds passwd and passphrase, "cred" credentials and creds.
DEFAULT_PATTERNS = (
    "pass", "pwd", "secret", "token", "key", "cred", "auth", "cookie", "private", "dsn",
)  # fmt: skip

_NAME = r"[A-Za-z0-9_][\w.\-]*"
_OPTION = re.compile(rf"-{{1,2}}({_NAME})")
# "--name=" and "NAME=" at the start of what is left of an argument.
_OPTION_PREFIX = re.compile(rf"-{{1,2}}({_NAME})=")
_ASSIGNMENT_PREFIX = re.compile(r"([A-Za-z_][\w.\-]*)=")
# A URL up to its password: a scheme starting a word, "://", a user name (maybe empty), ":".
_URL_USER = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^:@/\s]*:")
_HOST_END = re.compile(r"[/?#\s]")


def redact_argv(argv: Sequence[str], extra: tuple[str, ...] = ()) -> list[str]:
    """Return ``argv`` with secrets replaced by ``REDACTED``; ``extra`` adds name patterns."""
    return list(_redact(tuple(argv), extra))


@functools.lru_cache(maxsize=16)
def _redact(argv: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    alternation = "|".join(f"(?:{pattern})" for pattern in (*DEFAULT_PATTERNS, *extra))
    secret = re.compile(alternation, re.IGNORECASE)
    redacted: list[str] = []
    value_follows = False
    for arg in argv:
        if value_follows and not arg.startswith("--"):
            redacted.append(REDACTED)
            value_follows = False
        elif option := _OPTION.fullmatch(arg):
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
    while prefix := _OPTION_PREFIX.match(arg, position) or _ASSIGNMENT_PREFIX.match(arg, position):
        position = prefix.end()
        if secret.search(prefix.group(1)):
            return arg[:position] + REDACTED
    return arg[:position] + _redact_url_passwords(arg[position:])


def _redact_url_passwords(arg: str) -> str:
    # A password ends at the "@" followed by a host free of "@" up to "/", "?", "#", a space or
    # the end, so an unescaped "@" inside it is hidden too. Every step moves forward, and no
    # stretch is searched twice, so a long argument costs linear time.
    if "@" not in arg:
        return arg
    parts: list[str] = []
    copied = 0  # arg[:copied] is in parts
    searched = 0  # no password starts before this
    for url in _URL_USER.finditer(arg):
        if url.start() < searched:
            continue
        chunk = url.end()
        while True:
            delimiter = _HOST_END.search(arg, chunk)
            chunk_end = delimiter.start() if delimiter else len(arg)
            at = arg.rfind("@", chunk, chunk_end)
            if at >= 0:
                parts += [arg[copied : url.end()], REDACTED]
                copied = searched = at
                break
            if delimiter is None or delimiter.group().isspace():
                searched = chunk_end
                break
            chunk = chunk_end + 1
    return "".join(parts) + arg[copied:]
