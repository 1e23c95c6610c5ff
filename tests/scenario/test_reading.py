"""Reading YAML: non-finite numbers, bombs, duplicate keys, bad bytes and deep nesting are refused
with one line naming the file, quickly."""

from __future__ import annotations

import time

import pytest

from sim.errors import ConfigError
from sim.scenario.loading import load_scenario
from sim.scenario.reading import read_yaml
from sim.scenario.shipped import default_scenario_path

NON_FINITE = [".inf", "-.inf", ".NaN", "1.0e+400", "-2e999", '"inf"', '"nan"', "'-Infinity'"]


@pytest.mark.parametrize("value", NON_FINITE)
def test_a_non_finite_value_in_a_scenario_is_refused_with_its_path(tmp_path, value):
    text = default_scenario_path().read_text().replace("capability: 2.31", f"capability: {value}")
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"countries\.SRB\.capability: expected a finite number"):
        load_scenario(path)


@pytest.mark.parametrize("value", NON_FINITE)
def test_a_non_finite_override_of_an_extending_file_is_refused(tmp_path, value):
    path = tmp_path / "variant.yaml"
    path.write_text(
        f"extends: {default_scenario_path()}\nname: v\n"
        f"overrides:\n  dynamics.tension.decay: {value}\n"
    )
    with pytest.raises(ConfigError, match=r"dynamics\.tension\.decay: expected a finite number"):
        load_scenario(path)


def test_a_non_finite_number_anywhere_in_a_file_is_named_by_its_path(tmp_path):
    path = tmp_path / "any.yaml"
    path.write_text("a:\n  b: [1, 2.5, {c: .inf}]\n")
    with pytest.raises(ConfigError, match=r"any\.yaml: a\.b\.2\.c: expected a finite number"):
        read_yaml(path)


def test_a_non_finite_python_override_is_refused():
    with pytest.raises(ConfigError, match=r"patrons\.russia\.support: expected a finite number"):
        load_scenario(default_scenario_path(), overrides={"patrons.russia.support": float("nan")})


# --- what would make the loader slow or silently wrong ------------------------------------------


def refused(tmp_path, text: str | bytes, match: str) -> ConfigError:
    """Read a file that must be refused within a second, with a one-line error naming it."""
    path = tmp_path / "bad.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=match) as caught:
        read_yaml(path)
    assert time.perf_counter() - started < 1.0
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message and len(message) < 300
    return caught.value


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\nname: *a{levels}\n"


@pytest.mark.parametrize("levels", [6, 9])
def test_an_alias_bomb_is_refused_at_once(tmp_path, levels):
    refused(tmp_path, alias_bomb(levels), r"line \d+: expected at most 100,000 values once aliases")


def test_a_few_aliases_and_merge_keys_are_fine(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\nlist: [*b, *b]\n")
    assert read_yaml(path)["other"] == {"x": 3, "y": 2}


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path):
    refused(tmp_path, "name: x\nloop: &x\n  again: *x\n", r"line 3: expected no alias inside")


def test_a_duplicate_key_names_both_lines(tmp_path):
    text = "name: x\ncountries:\n  SRB: {capability: 1}\n  HRV: {}\n  SRB: {capability: 2}\n"
    refused(tmp_path, text, r"line 5: expected each key once \('SRB' is first given on line 3\)")


def test_a_duplicate_key_in_a_flow_mapping_is_refused(tmp_path):
    refused(tmp_path, "a: {b: 1, b: 2}\n", r"line 1: expected each key once \('b'")


@pytest.mark.parametrize(
    ("data", "line"),
    [(b"name: ok\nnote: \xc5land\n", 2), (bytes(range(256)) * 4, 2), (b"\n\n\xff\xfe", 3)],
    ids=["latin-1", "binary", "utf-16 mark"],
)
def test_bytes_that_are_not_utf8_are_refused_with_their_line(tmp_path, data, line):
    refused(tmp_path, data, rf"line {line}: expected UTF-8 text .*found 'the byte 0x")


def test_a_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: ok\n")
    assert read_yaml(path) == {"name": "ok"}


def test_a_control_character_is_refused_with_its_line(tmp_path):
    refused(tmp_path, "name: ok\nnote: a\x00b\n", r"line 2: expected well-formed YAML")


@pytest.mark.parametrize("brackets", [5_000, 100_000])
def test_absurd_nesting_of_brackets_is_refused_at_once(tmp_path, brackets):
    text = "name: " + "[" * brackets + "]" * brackets + "\n"
    refused(tmp_path, text, r"line 1: expected at most 50 levels of nesting")


def test_absurd_nesting_by_indentation_is_refused(tmp_path):
    text = "name:\n" + "".join(" " * i + "- \n" for i in range(2_000))
    refused(tmp_path, text, r"line \d+: expected at most 50 levels of nesting")


def test_a_large_found_value_is_cut_to_a_short_preview(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(f"name: [{', '.join(['long text'] * 5_000)}]\ncountries: {{}}\n")
    with pytest.raises(ConfigError, match=r"name: expected text, found \['long text', .*\.\.\.\]"):
        load_scenario(path)


def test_a_file_too_large_is_refused_before_reading_it(tmp_path):
    refused(tmp_path, b"# " + b"x" * (11 * 2**20), r"\(file\): expected a file of at most 10 MiB")
