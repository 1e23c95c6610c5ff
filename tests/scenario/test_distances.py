"""A dyad's distance: between the capitals, or the relation's own distance_km."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.model.world import compile_world
from sim.scenario.geography import great_circle_km
from sim.scenario.loading import scenario_from_dict


def test_a_relations_distance_replaces_the_capitals_distance_both_ways(scenario_data, world):
    """Serbia-Kosovo written as 50 km (a border, not Belgrade-Pristina's ~240 km); groups
    spread a distance to every dyad they name; every other dyad keeps its great circle."""
    data = copy.deepcopy(scenario_data)
    data["relations"]["SRB-XKX"] = {**data["relations"].get("SRB-XKX", {}), "distance_km": 50}
    data["groups"] = {"north": ["HUN", "SVN"]}
    data["relations"]["ROU-@north"] = {"distance_km": 300}
    changed = compile_world(scenario_from_dict(data))
    codes = changed.codes
    srb, xkx, rou = (codes.index(c) for c in ("SRB", "XKX", "ROU"))
    assert changed.distance_km[srb, xkx] == changed.distance_km[xkx, srb] == 50.0
    for code in ("HUN", "SVN"):
        assert changed.distance_km[rou, codes.index(code)] == 300.0
    kept = np.ones_like(world.distance_km, dtype=bool)
    kept[[srb, xkx], [xkx, srb]] = False
    for code in ("HUN", "SVN"):
        kept[rou, codes.index(code)] = kept[codes.index(code), rou] = False
    assert np.array_equal(changed.distance_km[kept], world.distance_km[kept])
    lat = [scenario_data["countries"][c]["lat"] for c in ("SRB", "XKX")]
    lon = [scenario_data["countries"][c]["lon"] for c in ("SRB", "XKX")]
    assert great_circle_km(np.array(lat), np.array(lon))[0, 1] == pytest.approx(
        world.distance_km[srb, xkx]
    )


def test_a_distance_can_be_overridden_but_not_changed_by_an_event(scenario_data):
    scenario = scenario_from_dict(scenario_data, overrides={"relations.SRB-XKX.distance_km": 80})
    assert scenario.relations["SRB-XKX"].distance_km == 80
    event = {"month": 3, "type": "set", "path": "relations.SRB-XKX.distance_km", "value": 10}
    with pytest.raises(ConfigError, match=r"events\.\d+\.path: expected a value that can change "
                       r"during a run \(distance_km is fixed geography\)"):  # fmt: skip
        scenario_from_dict({**scenario_data, "events": [*scenario_data["events"], event]})
    with pytest.raises(ConfigError, match=r"relations\.SRB-XKX\.distance_km: expected a number"):
        scenario_from_dict(scenario_data, overrides={"relations.SRB-XKX.distance_km": -1})


def test_a_shorter_distance_is_in_the_stability_check(scenario_data):
    """Richardson's check reads the relation's distance: a reaction of 0.12 is below the
    default limit (0.131, dyad BGR-ROU, capitals ~300 km apart), but with Bulgaria and Romania
    written 1 km apart the dyad's proximity rises from ~0.61 to ~1 and it is refused."""
    reaction = {"dynamics.tension.reaction": 0.12}
    scenario_from_dict(scenario_data, overrides=reaction)
    overrides = {**reaction, "relations.BGR-ROU.distance_km": 1}
    with pytest.raises(ConfigError, match=r"dynamics\.tension\.reaction: expected a reaction "
                       r"below 0\.0\d+ .* of (BGR-ROU|ROU-BGR)"):  # fmt: skip
        scenario_from_dict(scenario_data, overrides=overrides)
