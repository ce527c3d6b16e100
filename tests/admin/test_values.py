from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from expvar.dashboard.values import LONG_CHARS, show


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@pytest.mark.parametrize(
    "value",
    [
        42,
        -1.5,
        "text",
        None,
        True,
        [],
        {},
        [1, "a,b", None],
        {"a": {"b": [1, {"c": 2}]}, "d": "x"},
        {"<k>": '<v> & "q"'},
    ],
)
def test_text_of_the_markup_is_the_value_as_json(value: Any) -> None:
    shown = show(json.dumps(value, separators=(",", ":")))

    assert json.loads(text_of(shown.html)) == value


def test_dict_leaves_carry_their_path() -> None:
    shown = show('{"mem":{"HeapAlloc":5},"name":"x"}')

    assert 'data-expvar-path="[&quot;mem&quot;,&quot;HeapAlloc&quot;]"' in shown.html
    assert 'data-expvar-path="[&quot;name&quot;]">&quot;x&quot;<' not in shown.html
    assert 'data-expvar-path="[&quot;name&quot;]">"x"<' in shown.html


def test_dict_leaves_are_reachable_by_keyboard() -> None:
    shown = show('{"requests":5}')

    assert '<span class="expvar-leaf" tabindex="0" role="button" ' in shown.html


def test_byte_counts_in_memstats_read_in_binary_units() -> None:
    shown = show('{"HeapAlloc":4194304}', "memstats")

    assert 'data-expvar-human="4.0 MiB" title="in bytes">4194304<' in shown.html


def test_latency_figures_read_as_durations() -> None:
    shown = show('{"latency":{"sum":0.25,"count":3}}', "http")

    assert 'data-expvar-human="250.0 ms" title="in s">0.25<' in shown.html
    assert "data-expvar-human" not in shown.html[shown.html.index("count") :]


def test_top_level_number_named_in_ns_reads_as_a_duration() -> None:
    assert show("2500", "gc_pause_ns").human == "2.5 µs"


def test_number_without_a_unit_in_its_name_has_no_readable_form() -> None:
    assert show("2500", "requests").human == ""


def test_items_inside_lists_carry_no_path() -> None:
    shown = show('{"PauseNs":[1,2,3]}')

    assert "expvar-leaf" not in shown.html


def test_markup_escapes_keys_and_strings() -> None:
    shown = show('{"<img src=x onerror=alert(1)>":"<script>alert(2)</script>"}')

    assert "<img" not in shown.html
    assert "<script>" not in shown.html


def test_paths_in_attributes_escape_quotes() -> None:
    shown = show('{"a\\"b":1}')

    assert 'data-expvar-path="[&quot;a\\&quot;b&quot;]"' in shown.html


def test_short_values_are_not_long() -> None:
    assert not show('{"a":1}').long


def test_many_lines_make_a_value_long() -> None:
    assert show(json.dumps({f"k{n}": n for n in range(10)})).long


def test_many_characters_make_a_value_long() -> None:
    assert show(json.dumps("x" * (LONG_CHARS + 1))).long


def test_preview_is_cut_with_an_ellipsis() -> None:
    shown = show(json.dumps(list(range(100))))

    assert shown.preview.endswith("…")


@pytest.mark.parametrize(
    ("text", "size"),
    [('{"a":1,"b":2}', "2 keys"), ("[1]", "1 item"), ('"abc"', ""), ("1", "")],
)
def test_size_describes_containers(text: str, size: str) -> None:
    assert show(text).size == size


def test_size_of_a_long_string_counts_characters() -> None:
    assert show(json.dumps("é" * 200)).size == "200 characters"


LONG_DICT = json.dumps({f"<key {n}>": {"n": n, "s": "a & b"} for n in range(20)})


def test_folded_long_value_is_plain_text_without_markup() -> None:
    shown = show(LONG_DICT, leaves=False)

    assert "<" not in shown.html


def test_folded_long_value_reads_as_the_same_text_as_its_leaves() -> None:
    assert html.unescape(show(LONG_DICT, leaves=False).html) == text_of(show(LONG_DICT).html)


def test_short_value_keeps_its_leaves_when_folding_is_asked() -> None:
    assert "expvar-leaf" in show('{"a":1}', leaves=False).html
