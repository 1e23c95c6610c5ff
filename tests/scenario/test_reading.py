"""Reading YAML: non-finite numbers, bombs, duplicate keys, bad bytes and deep nesting are refused
with one line naming the file, quickly."""

from __future__ import annotations

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
