"""The pull-variable base class that apps subclass in their ``vars.py``."""

from __future__ import annotations

from typing import Any, ClassVar


class ExpVar:
    """A variable whose value is read each time ``/debug/vars`` is served.

    Subclasses set ``name`` and implement ``value()``. A class that sets ``abstract = True`` in
    its own body is a base for others and is never published itself.
    """

    name: ClassVar[str | None] = None
    abstract: ClassVar[bool] = False
    cache_ttl: ClassVar[float | None] = None
    # How /debug/metrics exposes it (see docs/prometheus.md); None: by its value's shape.
    prometheus: ClassVar[Any] = None

    def get_name(self) -> str | None:
        """Return the name this variable is published under."""
        return self.name

    def value(self) -> Any:
        """Return the variable's current value; anything JSON can hold."""
        raise NotImplementedError(f"{type(self).__qualname__} must implement value()")

    @classmethod
    def is_abstract(cls) -> bool:
        return bool(cls.__dict__.get("abstract", False))
