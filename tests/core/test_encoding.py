from __future__ import annotations

import datetime
import json
import math
import uuid
from decimal import Decimal
from typing import Any

import pytest

from expvar.encoding import EncodingError, encode, go_layout, quote_name, value_kind

LIMIT = 1024 * 1024


def text_of(value: Any) -> str:
    return encode(value, LIMIT)[1]


def test_compact_json() -> None:
    assert text_of({"a": [1, 2], "b": "x"}) == '{"a":[1,2],"b":"x"}'


@pytest.mark.parametrize("special", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_become_null_anywhere(special: float) -> None:
    assert text_of(special) == "null"
    assert text_of({"a": [1.5, special], "b": {"c": special}}) == '{"a":[1.5,null],"b":{"c":null}}'


def test_datetimes_dates_and_times_are_iso_8601() -> None:
    moment = datetime.datetime(2026, 11, 28, 10, 0, 5, tzinfo=datetime.timezone.utc)
    assert json.loads(text_of([moment, moment.date(), moment.time()])) == [
        "2026-11-28T10:00:05+00:00",
        "2026-11-28",
        "10:00:05",
    ]


def test_decimal_is_a_number() -> None:
    assert text_of([Decimal("2.5"), Decimal("7"), Decimal("NaN")]) == "[2.5,7,null]"


def test_uuid_is_a_string() -> None:
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert text_of(value) == '"12345678-1234-5678-1234-567812345678"'


def test_sets_and_tuples_are_lists() -> None:
    assert text_of({"s": {3, 1, 2}, "f": frozenset(["b", "a"]), "t": (1, 2)}) == (
        '{"s":[1,2,3],"f":["a","b"],"t":[1,2]}'
    )


def test_bytes_are_utf8_text() -> None:
    assert text_of("héllo".encode()) == '"héllo"'


def test_object_cannot_be_encoded() -> None:
    with pytest.raises(EncodingError, match="object is not JSON serializable"):
        encode(object(), LIMIT)


def test_object_nested_with_non_finite_float_still_says_where() -> None:
    with pytest.raises(EncodingError, match=r"at a\.1"):
        encode({"a": [math.nan, object()]}, LIMIT)


def test_self_referencing_dict_is_an_error() -> None:
    loop: dict[str, Any] = {"a": 1}
    loop["self"] = loop
    with pytest.raises(EncodingError, match="refers to itself at self"):
        encode(loop, LIMIT)


def test_shared_but_acyclic_values_are_fine() -> None:
    shared = [1]
    assert text_of({"a": shared, "b": shared}) == '{"a":[1],"b":[1]}'


def test_oversized_string_is_refused_before_encoding() -> None:
    with pytest.raises(EncodingError, match="52,428,800 bytes as JSON, over the 1,048,576-byte"):
        encode("x" * 50 * 1024 * 1024, LIMIT)


def test_oversized_structure_is_refused() -> None:
    with pytest.raises(EncodingError, match="over the 100-byte limit"):
        encode(list(range(100)), 100)


def test_unencodable_keys_are_an_error() -> None:
    with pytest.raises(EncodingError, match="keys must be"):
        encode({(1, 2): "tuple key"}, LIMIT)


def test_go_layout_matches_go_byte_for_byte() -> None:
    body = go_layout([(quote_name("a"), "1"), (quote_name("b"), '{"c":2}')])
    assert body == '{\n"a": 1,\n"b": {"c":2}\n}\n'


def test_empty_layout_is_what_go_serves_with_no_variables() -> None:
    assert go_layout([]) == "{\n\n}\n"


def test_html_significant_characters_are_escaped_as_go_does() -> None:
    body = go_layout([(quote_name("x<"), text_of("<script>&\u2028"))])
    assert "<" not in body
    assert ">" not in body
    assert "&" not in body
    assert json.loads(body) == {"x<": "<script>&\u2028"}


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (1, "number"),
        (1.5, "number"),
        (True, "boolean"),
        ("s", "string"),
        ([], "list"),
        ({}, "dict"),
        (None, "null"),
    ],
)
def test_value_kind(value: Any, kind: str) -> None:
    assert value_kind(value) == kind


@pytest.mark.parametrize(
    "value", [10**400, -(10**400), {"deep": [1, 10**400]}, Decimal("1e400"), {10**400}]
)
def test_an_integer_beyond_a_doubles_range_is_an_error_not_a_broken_body(value: object) -> None:
    with pytest.raises(EncodingError, match="beyond a double's range"):
        encode(value, 1 << 20)


def test_long_digit_strings_and_large_doubles_are_fine() -> None:
    assert encode("9" * 400, 1 << 20)[1] == '"' + "9" * 400 + '"'
    assert encode(10**300, 1 << 20)[1] == "1" + "0" * 300
