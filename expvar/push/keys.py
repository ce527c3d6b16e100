"""Names of the cells a variable is stored in, the same in every store and every process.

A cell name ends in its kind: ``i`` (integer), ``f`` (nano-units of a Float) or ``s`` (text).
Cache stores put their key prefix in front. Names and map keys that are not short and plain are
hashed, so a key stays short and printable whatever the name (keys show up in `redis-cli`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

INT = "i"
FLOAT = "f"
TEXT = "s"

_PLAIN = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def token(text: str) -> str:
    """Return ``text`` if it is plain enough to be part of a key, else a hash of it."""
    if _PLAIN.fullmatch(text):
        return text
    return "~" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def scalar(name: str, kind: str) -> str:
    return f"v:{token(name)}:{kind}"


def entry_id(path: Sequence[str]) -> str:
    """How a map key is written in the map's list of keys."""
    return json.dumps(list(path), ensure_ascii=False, separators=(",", ":"))


def parse_entry_id(text: str) -> tuple[str, ...] | None:
    try:
        path = json.loads(text)
    except (TypeError, ValueError):
        return None
    ok = isinstance(path, list) and path and all(isinstance(part, str) for part in path)
    return tuple(path) if ok else None


def entry_key(path: Sequence[str]) -> str:
    """A map key as part of a cell name: ``by_method/GET`` when plain, else a hash."""
    if all(_PLAIN.fullmatch(part) for part in path) and sum(map(len, path)) <= 64:
        return "/".join(path)
    return token(entry_id(path))


def entry_cells(name: str, path: Sequence[str]) -> tuple[str, str, str]:
    """The integer, float and text cells of one map key."""
    base = f"m:{token(name)}:{entry_key(path)}:"
    return base + INT, base + FLOAT, base + TEXT
