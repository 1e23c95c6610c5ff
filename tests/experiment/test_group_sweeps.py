"""Sweeps over a group path (``countries.@founders.domestic_cost``): every member moves."""

from __future__ import annotations

import pytest
import yaml

from sim.errors import ConfigError
from sim.experiment.spec import load_experiment
from sim.scenario.loading import read_scenario_data


def experiment(tmp_path, scenario_data, sweep_type, parameters):
    data = {**scenario_data, "groups": {"founders": ["ALB", "HRV", "XKX"]}}
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    spec = {"name": "groups", "scenario": "scenario.yaml", "replications": 2, "months": 12,
            "sweep": {"type": sweep_type, "parameters": parameters}}  # fmt: skip
    (tmp_path / "experiment.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return tmp_path / "experiment.yaml"


def test_a_one_at_a_time_sweep_of_a_group_starts_from_the_members_shared_value(
    tmp_path, scenario_data
):
    """The founders' domestic cost is 0 for all three (the scenario gives none): the OAT
    design starts there, then sets all three to 0.5 and 1.0."""
    swept = {"countries.@founders.domestic_cost": {"low": 0.5, "high": 1.0, "steps": 2}}
    path = experiment(tmp_path, scenario_data, "oat", swept)
    loaded = load_experiment(path)
    assert list(loaded.design["countries.@founders.domestic_cost"]) == [0.0, 0.5, 1.0]
    base = read_scenario_data(loaded.scenario)
    costs = [loaded.point_scenario(base, "baseline", d).countries for d in range(3)]
    for point, value in enumerate([0.0, 0.5, 1.0]):
        assert {costs[point][c].domestic_cost for c in ("ALB", "HRV", "XKX")} == {value}


def test_a_one_at_a_time_sweep_of_a_group_with_different_values_is_refused(tmp_path, scenario_data):
    """SRB's tensions with the founders differ (0.5, 0.5, 0.8): no single default value would
    give the scenario back, so the file is refused naming the parameter and the values."""
    swept = {"relations.SRB-@founders.tension": {"low": 0.2, "high": 0.6, "steps": 2}}
    path = experiment(tmp_path, scenario_data, "oat", swept)
    message = r"parameters\.relations\.SRB-@founders\.tension: expected a group whose members"
    with pytest.raises(ConfigError, match=message):
        load_experiment(path)
