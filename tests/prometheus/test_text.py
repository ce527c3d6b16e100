"""The two formats, line by line."""

from __future__ import annotations

from expvar.prometheus import Family, Sample, counter, gauge
from expvar.prometheus.text import render


def test_text_format_names_a_counter_family_with_its_total() -> None:
    body = render([counter("jobs_total", "Jobs.", 3)], openmetrics=False)
    assert body == "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 3\n"


def test_openmetrics_names_a_counter_family_without_its_total_and_ends_with_eof() -> None:
    body = render([counter("jobs_total", "Jobs.", 3)], openmetrics=True)
    assert body == "# HELP jobs Jobs.\n# TYPE jobs counter\njobs_total 3\n# EOF\n"


def test_openmetrics_writes_a_counter_whose_family_name_is_taken_as_unknown() -> None:
    families = [gauge("alloc_bytes", "In use.", 1), counter("alloc_bytes_total", "All.", 2)]
    body = render(families, openmetrics=True)
    assert "# HELP alloc_bytes_total All.\nalloc_bytes_total 2\n" in body
    assert "# TYPE alloc_bytes_total" not in body


def test_label_values_and_help_are_escaped() -> None:
    family = Family("x", "gauge", 'a\\b\nc "d"', (Sample("", (("k", 'say "hi"\n\\'),), 1),))
    assert render([family], openmetrics=False).splitlines() == [
        '# HELP x a\\\\b\\nc "d"',
        "# TYPE x gauge",
        'x{k="say \\"hi\\"\\n\\\\"} 1',
    ]


def test_special_floats_are_written_as_prometheus_spells_them() -> None:
    families = [
        gauge("a", "A.", float("nan")),
        gauge("b", "B.", float("inf")),
        gauge("c", "C.", 0.25),
    ]
    lines = render(families, openmetrics=False).splitlines()
    assert [lines[2], lines[5], lines[8]] == ["a NaN", "b +Inf", "c 0.25"]


def test_nothing_to_expose_is_an_empty_text_body_and_a_bare_eof() -> None:
    assert render([], openmetrics=False) == ""
    assert render([], openmetrics=True) == "# EOF\n"
