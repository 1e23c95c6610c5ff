"""What a refused value expected, in plain words, and files that are not a mapping."""

from __future__ import annotations

import pytest

from sim.errors import ConfigError
from sim.scenario.reading import plain_expectation, read_yaml


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ({"type": "greater_than_equal", "ctx": {"ge": 0.5}}, "a number ≥ 0.5"),
        ({"type": "less_than", "ctx": {"lt": 3}}, "a number < 3"),
        ({"type": "int_from_float"}, "a whole number"),
        ({"type": "string_pattern_mismatch"}, "a name of letters, digits and _ starting with a "
         "letter"),
        ({"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}}, "one of 'a' or 'b'"),
        ({"type": "too_short", "ctx": {"min_length": 2}}, "at least 2 items"),
        ({"type": "too_long", "ctx": {"max_length": 5}}, "at most 5 items"),
        ({"type": "union_tag_invalid", "ctx": {"expected_tags": "'join', 'leave'"}},
         "one of 'join', 'leave'"),
        ({"type": "missing"}, "this required field"),
        ({"type": "value_error", "msg": "Value error, months must be positive"},
         "months must be positive"),
    ],
)  # fmt: skip
def test_plain_expectation(error, words):
    assert plain_expectation(error) == words


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match=r"\(top level\): expected a mapping of keys to values"):
        read_yaml(path)
