"""`set` and `add` events on country, relation, bloc and patron values, in both engines."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment.seeds import run_seeds
from sim.model import phases
from sim.model.draws import draw_runs, generators_for
from sim.model.state import RunState
from sim.model.world import compile_world
from sim.scenario.loading import scenario_from_dict
from tests.conftest import assert_same_outcomes, batch_rows, mesa_rows

SEEDS = run_seeds(5, range(40))


def with_events(scenario_data, events):
    return scenario_from_dict({**scenario_data, "events": [*scenario_data["events"], *events]})


def utilities(scenario, months, seed=3):
    """Each month's derived utility (R=1, n, B), stepping the phases by hand."""
    world = compile_world(scenario)
    state = RunState.initial(world)
    draws = draw_runs(generators_for(np.array([seed])), months, world.n_countries, world.n_blocs)
    found = []
    for step in range(months):
        derived, changes = phases.plan(state, world, step, draws.month(step))
        found.append(derived.utility[0].copy())
        phases.commit(state, world, derived, changes)
    return world, found


@pytest.mark.parametrize(("invited", "relief"), [(False, 0.0), (True, 0.5)])
def test_a_set_domestic_cost_changes_utility_from_its_month_as_u1_says(
    scenario_data, invited, relief
):
    """U1: U_iB = ... - r_iB, with r_iB = (cost + x_i)(1 - relief) (R1, U4). Setting Bulgaria's
    cost from 0.8 to 1.3 in month 6 leaves months 0-5 unchanged and lowers U from month 6 by
    exactly (1.3 - 0.8)(1 - relief): 0.5 without an invitation, 0.25 with one open."""
    invite = [{"month": 2, "type": "invite", "bloc": "tirana", "country": "BGR"}] if invited else []
    change = {"month": 6, "type": "set", "path": "countries.BGR.domestic_cost", "value": 1.3}
    world, before = utilities(with_events(scenario_data, invite), 7)
    _, after = utilities(with_events(scenario_data, [*invite, change]), 7)
    bgr = world.codes.index("BGR")
    for month in range(6):
        assert np.array_equal(after[month], before[month])
    difference = after[6] - before[6]
    assert difference[bgr] == pytest.approx(np.full(world.n_blocs, -0.5 * (1 - relief)), abs=1e-12)
    others = np.delete(difference, bgr, axis=0)
    assert np.abs(others).max() < 1e-12


def test_engines_agree_with_changes_of_every_kind(scenario_data):
    events = [
        {"month": 3, "type": "set", "path": "countries.BGR.domestic_cost.tirana", "value": 0.1},
        {"month": 4, "type": "add", "path": "countries.SRB.alignment", "value": 0.3},
        {"month": 5, "type": "set", "path": "countries.MNE.nato", "value": False},
        {"month": 6, "type": "add", "path": "relations.XKX-SRB.tension", "value": 0.4},
        {"month": 7, "type": "set", "path": "relations.SRB-BIH.baseline", "value": 0.3},
        {"month": 8, "type": "set", "path": "blocs.tirana.eligibility", "value": 0.0},
        {"month": 9, "type": "add", "path": "patrons.russia.support", "value": 0.3},
        {"month": 10, "type": "set", "path": "countries.SRB.capability", "value": 6.0},
        {"month": 12, "type": "set", "path": "blocs.tirana.open", "value": False},
    ]
    scenario = with_events(scenario_data, events)
    batch = batch_rows(scenario, SEEDS[:16], months=36)
    assert_same_outcomes(mesa_rows(scenario, SEEDS[:16], months=36), batch)
    assert not batch.equals(batch_rows(with_events(scenario_data, []), SEEDS[:16], months=36))


def test_adding_to_a_tension_is_the_shock_event(scenario_data):
    add = {"month": 4, "type": "add", "path": "relations.SRB-XKX.tension", "value": -5.0}
    shock = {"month": 4, "type": "shock", "countries": ["SRB", "XKX"], "delta": -5.0}
    rows = batch_rows(with_events(scenario_data, [add]), SEEDS, months=24)
    assert_same_outcomes(rows, batch_rows(with_events(scenario_data, [shock]), SEEDS, months=24))


def test_a_closed_bloc_takes_no_one_from_its_month(scenario_data):
    close = {"month": 0, "type": "set", "path": "blocs.tirana.open", "value": False}
    rows = batch_rows(with_events(scenario_data, [close]), SEEDS, months=60)
    assert (rows["new_members"] == 0).all()
    assert (batch_rows(with_events(scenario_data, []), SEEDS, months=60)["new_members"] > 0).any()


def test_a_capability_change_resizes_every_country(scenario_data):
    grow = {"month": 1, "type": "set", "path": "countries.SRB.capability", "value": 10.0}
    world = compile_world(with_events(scenario_data, [grow]))
    state = RunState.initial(world)
    phases.apply_events(state, world, 1)
    expected = state.capability / state.capability.sum()
    assert state.size == pytest.approx(expected)
    assert state.capability[0, world.codes.index("SRB")] == 10.0


def test_an_add_event_stays_within_the_fields_bounds(scenario_data):
    """add clips to the field's range: ALB's alignment 0.85 + 0.5 is 1.0 (alignment in [-1, 1]),
    SRB's -0.2 - 1.5 is -1.0, and Serbia's tension with Kosovo 0.8 - 5 is 0 (tension >= 0)."""
    events = [
        {"month": 1, "type": "add", "path": "countries.ALB.alignment", "value": 0.5},
        {"month": 1, "type": "add", "path": "countries.SRB.alignment", "value": -1.5},
        {"month": 1, "type": "add", "path": "relations.SRB-XKX.tension", "value": -5.0},
    ]
    world = compile_world(with_events(scenario_data, events))
    state = RunState.initial(world)
    phases.apply_events(state, world, 1)
    alb, srb, xkx = (world.codes.index(c) for c in ("ALB", "SRB", "XKX"))
    assert state.alignment[0, alb] == 1.0 and state.alignment[0, srb] == -1.0
    assert state.tension[0, srb, xkx] == state.tension[0, xkx, srb] == 0.0


def test_a_set_patron_endorsement_changes_utility_from_its_month_as_u1_says(scenario_data):
    """U1's endorsement term w_E e_WB max(pi_W a_i, 0): setting the West's endorsement of the
    pact to 0.7 in month 6 leaves months 0-5 unchanged and moves every country's pact utility in
    month 6 by exactly w_E (0.7 - e_W) max(a_i, 0) (pi_W = +1), with a_i the alignment the month
    starts from. (The patron arrays are kept on the
    state: this fails if a patron event does not refresh them.)"""
    change = {"month": 6, "type": "set", "path": "patrons.west.endorsement", "value": 0.7}
    world = compile_world(scenario_from_dict(scenario_data))
    _, before = utilities(with_events(scenario_data, []), 7)
    _, after = utilities(with_events(scenario_data, [change]), 7)
    for month in range(6):
        assert np.array_equal(after[month], before[month])
    state = RunState.initial(world)  # replay months 0-5 to read the alignment month 6 starts from
    draws = draw_runs(generators_for(np.array([3])), 6, world.n_countries, world.n_blocs)
    for step in range(6):
        derived, changes = phases.plan(state, world, step, draws.month(step))
        phases.commit(state, world, derived, changes)
    weight = world.params["accession.endorsement_weight"][0]
    endorsement = world.params["patrons.west.endorsement"][0]
    expected = weight * (0.7 - endorsement) * np.maximum(state.alignment[0], 0.0)
    difference = after[6] - before[6]
    assert np.abs(expected).max() > 0.01  # the case moves something
    assert difference[:, world.pact] == pytest.approx(expected, abs=1e-12)
