"""Variables that attack every place a value or a name is shown, between two healthy ones.

Declared in this order on purpose: the variables after a hostile one show whether it cost them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import expvar
from tests.load.site.names import (
    IMG,
    QUOTES,
    SCRIPT,
    SEPARATORS,
    TEMPLATE_TAG,
    TEMPLATE_VARIABLE,
)


def _constant(class_name: str, name: str, value: Any) -> type[expvar.ExpVar]:
    def read(self: expvar.ExpVar) -> Any:
        return value

    attributes = {"name": name, "value": read, "__module__": __name__}
    return type(class_name, (expvar.ExpVar,), attributes)


class UnprintableError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("__str__ of the exception raised too")


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("__str__ raised")

    __repr__ = __str__


class HealthyFirst(expvar.ExpVar):
    name = "healthy_first"

    def value(self) -> str:
        return "first"


class RaisesUnprintable(expvar.ExpVar):
    name = "raises_unprintable"

    def value(self) -> int:
        raise UnprintableError()


ScriptValue = _constant("ScriptValue", "xss_script_value", SCRIPT)
ImgValue = _constant("ImgValue", "xss_img_value", IMG)
ScriptName = _constant("ScriptName", SCRIPT, "named by a script tag")
ImgName = _constant("ImgName", IMG, "named by an img tag")
TemplateName = _constant("TemplateName", TEMPLATE_VARIABLE, TEMPLATE_TAG)
TemplateValue = _constant("TemplateValue", "template_value", TEMPLATE_VARIABLE + TEMPLATE_TAG)
QuotesName = _constant("QuotesName", QUOTES, QUOTES)
SeparatorsName = _constant("SeparatorsName", SEPARATORS, SEPARATORS)
NotANumber = _constant("NotANumber", "nan", float("nan"))
NonFinite = _constant("NonFinite", "non_finite", {"nan": float("nan"), "inf": float("inf")})
HugeInt = _constant("HugeInt", "huge_int", 10**400)


class Recursion(expvar.ExpVar):
    name = "recursion"

    def value(self) -> int:
        return self.value()


class SelfList(expvar.ExpVar):
    name = "self_list"

    def value(self) -> list[Any]:
        loop: list[Any] = []
        loop.append(loop)
        return loop


class FiftyMegabytes(expvar.ExpVar):
    name = "fifty_mb"

    def value(self) -> str:
        return "x" * (50 * 1024 * 1024)


class Generator(expvar.ExpVar):
    name = "generator"

    def value(self) -> Iterator[int]:
        return (number for number in range(3))


class ReturnsUnprintable(expvar.ExpVar):
    name = "returns_unprintable"

    def value(self) -> Unprintable:
        return Unprintable()


class HealthyLast(expvar.ExpVar):
    name = "healthy_last"

    def value(self) -> str:
        return "last"
