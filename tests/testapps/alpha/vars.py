from __future__ import annotations

import expvar
from expvar import ExpVar as ImportedBase  # imported names are not declarations of this module
from tests.testapps.beta.vars import Gadgets  # noqa: F401  (defined elsewhere: not collected)


class Answer(expvar.ExpVar):
    name = "answer"

    def value(self) -> int:
        return 42


class Base(expvar.ExpVar):
    abstract = True
    name = "base"

    def value(self) -> str:
        return "abstract classes are never published"


class Inventory(Base):
    name = "inventory"

    def value(self) -> dict[str, object]:
        return {"widgets": 3, "shared": {"a": 1}, "empty": {}}


class Version(ImportedBase):
    name = "version"

    def value(self) -> str:
        return "alpha-1.0"


class Nameless(expvar.ExpVar):
    def value(self) -> int:
        return 0


class Empty(expvar.ExpVar):
    name = "empty"

    def value(self) -> dict[str, object]:
        return {}


class Computed(expvar.ExpVar):
    def get_name(self) -> str:
        return "computed"

    def value(self) -> list[int]:
        return [1, 2, 3]
