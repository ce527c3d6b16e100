"""What parsing a setting found wrong, as the system checks report it."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.checks import CheckMessage, Error, Warning


@dataclass(frozen=True)
class Issue:
    id: str  # expvar.E… is an error, expvar.W… a warning
    message: str
    hint: str

    def as_check(self) -> CheckMessage:
        """Return the system-check message that reports this issue."""
        kind = Warning if self.id.startswith("expvar.W") else Error
        return kind(self.message, hint=self.hint, id=self.id)
