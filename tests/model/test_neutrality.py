"""Non-alignment as a state: a neutral country's cost of leaving neutrality (N1), and events
that end it."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.experiment.seeds import run_seeds
from sim.model import phases
from sim.model.state import RunState, derive
from sim.model.world import compile_world
from sim.scenario.loading import scenario_from_dict
from tests.conftest import assert_same_outcomes, batch_rows, mesa_rows, sd_tolerance

N = 300
SEEDS = run_seeds(1955, range(N))
MKD = 5  # North Macedonia's index in the default scenario


def neutral_mkd(scenario_data, cost=1.0, events=()):
    """The default scenario with North Macedonia neutral at a cost of leaving ``cost``."""
    data = copy.deepcopy(scenario_data)
    data["countries"]["MKD"] |= {"neutral": True, "neutrality_cost": cost}
    data["events"] = [*data["events"], *events]
    return scenario_from_dict(data)


def ends(month):
    return {"month": month, "type": "set", "path": "countries.MKD.neutral", "value": False,
            "id": "mkd_ends_neutrality"}  # fmt: skip


def test_the_cost_lowers_the_utility_of_every_bloc_by_itself_by_hand(scenario_data, world):
    """U_iB(neutral) = U_iB - c_N for every bloc, also under an open invitation (the relief is
    of the domestic cost only); other countries' utilities do not move."""
    data = copy.deepcopy(scenario_data)
    data["dynamics"] = {"counter_bloc": {"enabled": True}}  # a second bloc slot
    data["events"] = [*data["events"], {"month": 0, "type": "invite", "bloc": "tirana",
                                        "country": "MKD"}]  # fmt: skip
    plain = scenario_from_dict(data)
    data["countries"]["MKD"] |= {"neutral": True, "neutrality_cost": 0.75}
    neutral = scenario_from_dict(data)
    utilities = []
    for scenario in (plain, neutral):
        world = compile_world(scenario)
        state = RunState.initial(world)
        phases.apply_events(state, world, 0)
        utilities.append(derive(state, world).utility[0])
    difference = utilities[0] - utilities[1]
    assert difference.shape[-1] == 2
    np.testing.assert_allclose(difference[MKD], [0.75, 0.75], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.delete(difference, MKD, axis=0), 0.0)


@pytest.fixture(scope="module")
def joins(scenario_data, scenario):
    """North Macedonia's join months over N runs: free, neutral throughout, neutral until 36."""
    free = batch_rows(scenario, SEEDS)
    held = batch_rows(neutral_mkd(scenario_data), SEEDS)
    later = batch_rows(neutral_mkd(scenario_data, events=[ends(36)]), SEEDS)
    return {name: rows["join_month_MKD"] for name, rows in
            (("free", free), ("held", held), ("later", later))}  # fmt: skip


def test_a_neutral_country_almost_never_joins(joins):
    """North Macedonia joins the pact within ten years in about a quarter of the runs; neutral
    at a cost of 1 (its utility falls from about -0.36 to -1.36, 27 temperatures below even,
    and the drift of its domestic cost has a spread of 0.2) it joins in almost none."""
    free, held = joins["free"].notna().mean(), joins["held"].notna().mean()
    assert free > 0.1
    assert held < 0.01 + sd_tolerance(0.01, N)
    assert free - held > 0.1 - sd_tolerance(free, N)


def test_an_event_ending_neutrality_restores_the_chance_of_joining(joins, scenario_data, scenario):
    """Ended in month 0 the run is exactly the run of a country never neutral (common random
    numbers); ended in month 36 it joins only after that, and far more often than if it stayed
    neutral."""
    free = batch_rows(scenario, SEEDS[:100])
    ended_at_once = batch_rows(neutral_mkd(scenario_data, events=[ends(0)]), SEEDS[:100])
    assert_same_outcomes(free, ended_at_once)
    later, held = joins["later"], joins["held"]
    assert (later.dropna() >= 36).mean() > 0.95
    assert later.notna().mean() - held.notna().mean() > 0.05 - sd_tolerance(0.1, N)


def by_law(scenario_data, events=()):
    """North Macedonia neutral by law (N1): no membership decision while neutral."""
    data = copy.deepcopy(scenario_data)
    data["countries"]["MKD"] |= {"neutral": True, "neutrality": "law"}
    data["events"] = [*data["events"], *events]
    return scenario_from_dict(data)


def test_a_neutral_by_law_never_joins_while_the_law_holds(joins, scenario_data):
    """Austria's constitutional law of 1955 ("will never in the future accede to any military
    alliances"): no join, application or acceptance of an invitation while neutral, however
    strong the motives; ended by an event in month 36, it joins only after that, and in more
    runs than a country neutral by policy throughout."""
    held = batch_rows(by_law(scenario_data), SEEDS)
    assert held["join_month_MKD"].isna().all()
    invited = {"month": 3, "type": "invite", "bloc": "tirana", "country": "MKD"}
    offered = batch_rows(by_law(scenario_data, events=[invited]), SEEDS[:100])
    assert offered["join_month_MKD"].isna().all()
    later = batch_rows(by_law(scenario_data, events=[ends(36)]), SEEDS)["join_month_MKD"]
    assert (later.dropna() >= 36).all()
    assert later.notna().mean() > joins["held"].notna().mean() + 0.05 - sd_tolerance(0.1, N)


def test_the_engines_agree_with_a_neutral_by_law(scenario_data):
    scenario = by_law(scenario_data, events=[ends(6)])
    seeds = SEEDS[:5]
    assert_same_outcomes(mesa_rows(scenario, seeds, months=24), batch_rows(scenario, seeds, 24))


def test_an_event_may_declare_neutrality_and_change_its_cost(scenario_data, scenario):
    """Declared in month 0 with its cost written by an event, it is the same as neutral from
    the start; an add event raises the cost as a set would."""
    data = copy.deepcopy(scenario_data)
    data["events"] = [
        *data["events"],
        {"month": 0, "type": "set", "path": "countries.MKD.neutral", "value": True},
        {"month": 0, "type": "add", "path": "countries.MKD.neutrality_cost", "value": 1.0},
    ]
    declared = batch_rows(scenario_from_dict(data), SEEDS[:100])
    assert_same_outcomes(batch_rows(neutral_mkd(scenario_data), SEEDS[:100]), declared)


def test_neutral_countries_found_no_counter_bloc(scenario_data):
    overrides = {"dynamics.counter_bloc.threat_threshold": 0.0,
                 "dynamics.counter_bloc.partner_threshold": -1.0,
                 "dynamics.counter_bloc.formation_rate": 1.0}  # fmt: skip
    data = copy.deepcopy(scenario_data)
    data["dynamics"] = {"counter_bloc": {"enabled": True}}
    outsiders = ["SRB", "BGR", "MKD", "MNE", "BIH", "ROU", "HUN", "SVN", "GRC"]
    for code in outsiders:
        data["countries"][code] |= {"neutral": True, "neutrality_cost": 1.0}
    rows = batch_rows(scenario_from_dict(data, overrides=overrides), SEEDS[:20], months=12)
    assert not rows["counter_bloc_formed"].any()
    data["countries"]["SRB"]["neutral"] = data["countries"]["HUN"]["neutral"] = False
    rows = batch_rows(scenario_from_dict(data, overrides=overrides), SEEDS[:20], months=12)
    assert (rows["counter_bloc_members"] == "SRB,HUN").all()  # the only two free to ally


def test_the_engines_agree_with_neutral_countries(scenario_data):
    scenario = neutral_mkd(scenario_data, cost=0.3, events=[ends(12)])
    seeds = SEEDS[:5]
    assert_same_outcomes(mesa_rows(scenario, seeds, months=24), batch_rows(scenario, seeds, 24))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"neutral": True},
            r"countries\.MKD\.neutrality_cost: expected a positive cost of "
            r"leaving neutrality",
        ),
        ({"neutral": True, "neutrality_cost": -1.0}, r"countries\.MKD\.neutrality_cost"),
        ({"neutral": "maybe", "neutrality_cost": 1.0}, r"countries\.MKD\.neutral"),
        (
            {"neutral": True, "neutrality": "law", "neutrality_cost": 1.0},
            r"countries\.MKD\.neutrality_cost: expected no cost for neutrality by law",
        ),
        ({"neutral": True, "neutrality": "treaty"}, r"countries\.MKD\.neutrality"),
    ],
)
def test_bad_neutrality_is_refused(scenario_data, change, message):
    data = copy.deepcopy(scenario_data)
    data["countries"]["MKD"] |= change
    with pytest.raises(ConfigError, match=message):
        scenario_from_dict(data)


def test_a_founding_member_cannot_be_neutral(scenario_data):
    data = copy.deepcopy(scenario_data)
    data["countries"]["ALB"] |= {"neutral": True, "neutrality_cost": 1.0}
    with pytest.raises(ConfigError, match=r"countries\.ALB\.neutral: expected false for a "
                                          r"member of bloc tirana"):  # fmt: skip
        scenario_from_dict(data)


def test_a_neutrality_event_must_fit_its_path(scenario_data):
    data = copy.deepcopy(scenario_data)
    data["events"] = [{"month": 2, "type": "add", "path": "countries.MKD.neutral", "value": 1}]
    with pytest.raises(ConfigError, match=r"events\.0\.value: expected a set event for "
                                          r"countries\.MKD\.neutral"):  # fmt: skip
        scenario_from_dict(data)
    data["events"] = [{"month": 2, "type": "set", "path": "countries.MKD.neutrality_cost",
                       "value": -2}]  # fmt: skip
    with pytest.raises(ConfigError, match=r"events\.0\.value: expected a number ≥ 0 \(as "
                                          r"countries\.MKD\.neutrality_cost\)"):  # fmt: skip
        scenario_from_dict(data)
