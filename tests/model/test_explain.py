"""The split of the utility of membership into its terms (sim.model.explain, U1)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.model.explain import start_utilities
from sim.model.world import compile_world
from sim.scenario.loading import scenario_from_dict


def test_the_terms_add_up_to_the_utility_and_the_cost_is_the_scenarios(scenario_data):
    """With no event in the start month and no drift of the costs (R1 starts at 0), a
    country's cost is its domestic cost plus, when neutral, its neutrality cost; the motives
    less the cost are the utility derive computes."""
    data = copy.deepcopy(scenario_data)
    data["events"] = [e for e in data["events"] if e["month"] != data["start"]]
    data["countries"]["MKD"] |= {"neutral": True, "neutrality_cost": 2.5}
    world = compile_world(scenario_from_dict(data))
    table = start_utilities(world).set_index("country")
    assert set(table["bloc"]) == {"tirana"}
    assert not {"ALB", "HRV", "XKX"} & set(table.index)  # members are not outsiders
    motives = table["frustration"] + table["security"] + table["endorsement"]
    assert np.allclose(motives - table["cost"], table["utility"], atol=1e-12)
    cost = data["countries"]["BGR"].get("domestic_cost", 0.8)
    assert table.loc["BGR", "cost"] == pytest.approx(cost)
    mkd_cost = data["countries"]["MKD"].get("domestic_cost", 0.8)
    assert table.loc["MKD", "cost"] == pytest.approx(mkd_cost + 2.5)


def test_each_motive_moves_with_its_own_weight_only(scenario_data):
    """Doubling the security weight doubles the security term and leaves the others."""
    data = copy.deepcopy(scenario_data)
    plain = start_utilities(compile_world(scenario_from_dict(data))).set_index("country")
    data.setdefault("dynamics", {}).setdefault("accession", {})
    weight = scenario_from_dict(data).dynamics.accession.security_weight
    data["dynamics"]["accession"]["security_weight"] = 2 * weight
    doubled = start_utilities(compile_world(scenario_from_dict(data))).set_index("country")
    assert np.allclose(doubled["security"], 2 * plain["security"])
    for term in ("frustration", "endorsement", "cost"):
        assert np.allclose(doubled[term], plain[term])
    assert (plain["security"].abs() > 0).any()
