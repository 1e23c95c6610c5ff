"""Groups of countries: `@name` in relations, overrides, bloc members and events."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.experiment.seeds import run_seeds
from sim.model.world import compile_world
from sim.scenario.loading import scenario_from_dict
from tests.conftest import assert_same_outcomes, batch_rows

FOUNDERS = ["ALB", "HRV", "XKX"]


def grouped(scenario_data, relations=None, events=None, **groups):
    data = copy.deepcopy(scenario_data)
    data["groups"] = groups or {"founders": FOUNDERS}
    data["relations"] = {**data["relations"], **(relations or {})}
    data["events"] = [*data["events"], *(events or [])]
    return data


def value(scenario, array, first, second):
    world = compile_world(scenario)
    return float(getattr(world, array)[0, world.codes.index(first), world.codes.index(second)])


def test_a_group_key_gives_every_dyad_and_a_dyad_of_its_own_wins(scenario_data):
    """SRB-@founders names SRB with ALB, HRV and XKX. A dyad's own entry (SRB-XKX: tension
    0.8) wins over the group's 0.6 field by field; fields it does not give come from the group."""
    data = grouped(scenario_data, {"SRB-@founders": {"tension": 0.6, "baseline": 0.4}})
    scenario = scenario_from_dict(data)
    assert value(scenario, "tension", "SRB", "ALB") == 0.5  # SRB-ALB's own entry wins
    assert value(scenario, "baseline", "SRB", "ALB") == 0.4  # a field it does not give
    assert value(scenario, "baseline", "HRV", "SRB") == 0.4
    assert value(scenario, "tension", "SRB", "XKX") == 0.8
    assert value(scenario, "affinity", "SRB", "XKX") == -0.9
    assert value(scenario, "baseline", "SRB", "BIH") == value(scenario, "tension", "SRB", "BIH")


def test_a_key_with_one_group_wins_over_one_with_two(scenario_data):
    relations = {"@founders-@founders": {"affinity": 0.9},
                 "MNE-@founders": {"affinity": 0.25}, "@founders-MNE": {"affinity": 0.25},
                 "@founders-@neighbours": {"tension": 0.3}}  # fmt: skip
    data = grouped(scenario_data, relations, founders=FOUNDERS, neighbours=["MNE", "MKD"])
    del data["relations"]["MNE-ALB"], data["relations"]["MNE-XKX"], data["relations"]["MNE-HRV"]
    scenario = scenario_from_dict(data)
    assert value(scenario, "affinity", "ALB", "XKX") == 0.9  # within the group, both sides
    assert value(scenario, "affinity", "HRV", "MNE") == 0.25  # one group beats two
    assert value(scenario, "tension", "HRV", "MNE") == 0.3  # no one-group key gives tension
    assert value(scenario, "tension", "MKD", "ALB") == 0.3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["relations"].update({"SRB-@nato": {"tension": 0.6}}),
         r"relations\.SRB-@nato: expected a group among \['@founders'\], found '@nato'"),
        (lambda d: d["groups"].update(west=["USA"]),
         r"groups\.west: expected listed country codes, found 'USA'"),
        (lambda d: d["groups"].update(empty=[]), r"groups\.empty: expected at least 1 item"),
        (lambda d: d.update(groups={"a": ["ALB", "HRV"], "b": ["HRV", "XKX"]},
                            relations={"BIH-@a": {"tension": 0.6}, "BIH-@b": {"tension": 0.7}}),
         r"relations\.BIH-@b\.tension: expected the same value as relations\.BIH-@a \(0\.6\), "
         r"which also names this dyad, found 0\.7"),
        (lambda d: d["events"].append({"month": 3, "type": "shock", "delta": 0.1,
                                       "countries": ["SRB", "@nato"]}),
         r"events\.7\.countries: expected a group among \['@founders'\], found '@nato'"),
        (lambda d: d["events"].append({"month": 3, "type": "invite", "bloc": "tirana",
                                       "country": "@nato"}),
         r"events\.7\.country: expected a group among"),
        (lambda d: d["events"].append({"month": 3, "type": "set", "value": 0.1,
                                       "path": "countries.@nato.domestic_cost"}),
         r"events\.7\.path: expected a group among \['@founders'\] \(not @nato\)"),
        (lambda d: d["events"].append({"month": 3, "type": "add", "value": 1.0,
                                       "path": "countries.@founders.stubbornness"}),
         r"events\.7\.value: expected a number ≤ 1 \(as countries\.@founders\.stubbornness for "),
        (lambda d: d["blocs"]["tirana"].update(members=["@nato"]),
         r"blocs\.tirana\.members: expected a group among"),
    ],
)  # fmt: skip
def test_a_bad_group_reference_is_refused(scenario_data, change, message):
    data = grouped(scenario_data)
    change(data)
    with pytest.raises(ConfigError, match=message):
        scenario_from_dict(data, file="regional.yaml")


def test_an_override_with_a_group_sets_every_dyad(scenario_data):
    scenario = scenario_from_dict(grouped(scenario_data),
                                  overrides={"relations.SRB-@founders.tension": 1.2,
                                             "countries.@founders.openness": 0.2})  # fmt: skip
    for code in FOUNDERS:
        assert value(scenario, "tension", "SRB", code) == 1.2
        assert scenario.countries[code].openness == 0.2
    with pytest.raises(ConfigError, match=r"countries\.@founders\.opennes: expected an existing"):
        scenario_from_dict(grouped(scenario_data), overrides={"countries.@founders.opennes": 0.2})


def test_bloc_members_may_be_a_group(scenario_data):
    data = grouped(scenario_data)
    data["blocs"]["tirana"]["members"] = ["@founders"]
    assert scenario_from_dict(data).blocs["tirana"].members == FOUNDERS


def test_one_event_for_a_group_is_the_events_for_its_members(scenario_data):
    seeds = run_seeds(3, range(30))
    group_events = [
        {"month": 2, "type": "shock", "countries": ["SRB", "@founders"], "delta": 0.2},
        {"month": 3, "type": "invite", "bloc": "tirana", "country": "@candidates"},
        {"month": 4, "type": "add", "path": "relations.@candidates-SRB.baseline", "value": 0.1},
        {"month": 5, "type": "set", "path": "countries.@candidates.domestic_cost", "value": 0.2},
    ]
    one_by_one = [
        *({"month": 2, "type": "shock", "countries": ["SRB", c], "delta": 0.2} for c in FOUNDERS),
        *({"month": 3, "type": "invite", "bloc": "tirana", "country": c} for c in ("BGR", "MNE")),
        *({"month": 4, "type": "add", "path": f"relations.SRB-{c}.baseline", "value": 0.1}
          for c in ("BGR", "MNE")),
        *({"month": 5, "type": "set", "path": f"countries.{c}.domestic_cost", "value": 0.2}
          for c in ("BGR", "MNE")),
    ]  # fmt: skip
    groups = {"founders": FOUNDERS, "candidates": ["BGR", "MNE"]}
    by_group = batch_rows(scenario_from_dict(grouped(scenario_data, events=group_events, **groups)),
                          seeds, months=36)  # fmt: skip
    each = batch_rows(scenario_from_dict(grouped(scenario_data, events=one_by_one, **groups)),
                      seeds, months=36)  # fmt: skip
    assert_same_outcomes(by_group, each)
    plain = batch_rows(scenario_from_dict(grouped(scenario_data, **groups)), seeds, months=36)
    assert not np.allclose(by_group["peak_tension"], plain["peak_tension"])


def test_tracked_dyads_may_name_a_group_in_the_order_written(scenario_data):
    """``SRB-@founders`` tracks SRB with each founder, written SRB first (``peak_tension_SRB-ALB``),
    and a dyad also listed on its own (SRB-XKX) is tracked once."""
    data = grouped(scenario_data)
    data["tracked_dyads"] = ["SRB-XKX", "SRB-@founders"]
    scenario = scenario_from_dict(data)
    assert scenario.tracked_dyads == ["SRB-XKX", "SRB-ALB", "SRB-HRV"]
    rows = batch_rows(scenario, run_seeds(5, range(2)), 12)
    peaks = {"peak_tension_SRB-ALB", "peak_tension_SRB-HRV", "peak_tension_SRB-XKX"}
    assert peaks <= set(rows.columns)


def test_a_tracked_dyad_with_an_unknown_group_is_refused(scenario_data):
    data = grouped(scenario_data)
    data["tracked_dyads"] = ["SRB-XKX", "SRB-@nato"]
    with pytest.raises(ConfigError, match=r"tracked_dyads\.1: expected a group among "
                                          r"\['@founders'\], found '@nato'"):  # fmt: skip
        scenario_from_dict(data, file="regional.yaml")


def test_a_bloc_founded_by_an_event_may_name_a_group_of_its_members(scenario_data):
    """``members: ["@pair"]`` founds the bloc of the group's countries, exactly as the codes do
    (a set event on the new bloc is checked against it too); a group of one is refused."""
    seeds = run_seeds(4, range(12))
    change = {"month": 6, "type": "set", "path": "blocs.pair.eligibility", "value": 0.0}

    def founded(members, **groups):
        form = {"month": 5, "type": "form_bloc", "name": "pair", "members": members}
        return scenario_from_dict(grouped(scenario_data, events=[form, change], **groups))

    by_group = founded(["@pair"], pair=["SRB", "HUN"])
    assert compile_world(by_group).blocs[-1].members == tuple(
        compile_world(by_group).codes.index(c) for c in ("SRB", "HUN")
    )
    by_code = founded(["SRB", "HUN"], pair=["SRB", "HUN"])
    assert_same_outcomes(batch_rows(by_group, seeds, months=24),
                         batch_rows(by_code, seeds, months=24))  # fmt: skip
    with pytest.raises(ConfigError, match=r"events\.\d+\.members: expected at least two countries"):
        founded(["@solo"], solo=["SRB"])
    with pytest.raises(ConfigError, match=r"events\.\d+\.members: expected at least two countries"):
        founded(["SRB", "SRB"])
