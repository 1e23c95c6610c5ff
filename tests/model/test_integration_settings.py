"""Per-bloc integration settings: a bloc founded at its stage, and one that does not erode (I5)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.experiment.seeds import run_seeds
from sim.model import phases
from sim.model.batch_engine import simulate_batch
from sim.model.state import RunState, derive
from sim.model.world import compile_world
from sim.scenario.loading import load_scenario, scenario_from_dict
from sim.scenario.shipped import shipped_scenarios
from tests.conftest import assert_same_outcomes, batch_rows, mesa_rows

SEEDS = run_seeds(30, range(60))


def with_tirana(scenario_data, events=(), **integration):
    data = copy.deepcopy(scenario_data)
    tirana = data["blocs"]["tirana"]
    if "depth" in integration:
        tirana["depth"] = integration.pop("depth")
    else:
        tirana.pop("depth", None)
    tirana["integration"] = integration
    data["events"] = [*data["events"], *events]
    return scenario_from_dict(data)


def test_a_bloc_founded_at_a_stage_starts_in_its_middle_and_holds_it(scenario_data):
    """A formal alliance without a depth starts at (2/3 + 1) / 2 = 5/6, is not reported as
    reaching its stage, and (not eroding by default) never falls below 5/6."""
    scenario = with_tirana(scenario_data, stage="formal_alliance")
    world = compile_world(scenario)
    assert world.blocs[0].depth == pytest.approx(5 / 6) and not world.blocs[0].erodes
    result = batch_rows(scenario, SEEDS, months=120)
    assert (result["initial_stage"] == "formal alliance").all()
    assert result["stage_month_formal_alliance"].isna().all()
    assert result["stage_month_security_mechanism"].isna().all()
    assert (result["final_depth"] >= 5 / 6).all()


def test_the_default_bloc_erodes_and_a_mature_one_only_if_asked(scenario_data):
    """The Tirana pact (depth 0.1, no stage) erodes as before; a formal alliance told it
    erodes falls below its founding depth in some runs (its three founders are cohesive, so
    it mostly deepens), as the declared one never does."""
    plain = compile_world(scenario_from_dict(scenario_data)).blocs[0]
    assert plain.erodes and plain.depth == 0.1
    eroding = with_tirana(scenario_data, stage="formal_alliance", erodes=True)
    rows = batch_rows(eroding, SEEDS, months=120)
    assert (rows["final_depth"] < 5 / 6).sum() >= 3


def test_a_bloc_that_does_not_erode_keeps_its_floor_by_hand(scenario_data):
    """One month of I2 then I5 from depth 0.8 with the cohesion below c0 (drive < 0) and no
    noise: I2 gives 0.8 - 0.02 x 0.8 = 0.784, I5 keeps the floor 0.8."""
    scenario = with_tirana(scenario_data, stage="formal_alliance", depth=0.8)
    world = compile_world(scenario)
    state = RunState.initial(world)
    state.params["integration.cohesion_threshold"][:] = 10.0  # far above cohesion: drive < 0
    state.params["integration.rally"][:] = 0.0
    derived = derive(state, world)
    noise = np.zeros((1, world.n_blocs))
    assert phases.next_depth(state, world, derived, noise)[0, 0] == pytest.approx(0.8)
    state.erodes[:] = True
    assert phases.next_depth(state, world, derived, noise)[0, 0] == pytest.approx(0.784)


def test_an_event_stops_the_erosion_from_its_month(scenario_data):
    """Switched off in month 24 (a set event), the depth never falls below its month-24
    value afterwards; before, it erodes."""
    stop = {"month": 24, "type": "set", "path": "blocs.tirana.integration.erodes",
            "value": False}  # fmt: skip
    scenario = with_tirana(scenario_data, events=[stop], stage="formal_alliance", erodes=True)
    series = simulate_batch(compile_world(scenario), SEEDS[:30], months=72, series_every=1).series
    at_switch = series[series["month"] == 23].set_index("run")["depth"]
    after = series[series["month"] >= 24].groupby("run")["depth"].min()
    assert (after >= at_switch - 1e-12).all()
    before = series[series["month"] < 24].groupby("run")["depth"].min()
    assert (before < 5 / 6).mean() > 0.5


def test_the_engines_agree_with_integration_settings(scenario_data):
    stop = {"month": 6, "type": "set", "path": "blocs.tirana.integration.erodes", "value": False}
    scenario = with_tirana(scenario_data, events=[stop], stage="security_mechanism", erodes=True)
    seeds = SEEDS[:5]
    assert_same_outcomes(mesa_rows(scenario, seeds, months=24), batch_rows(scenario, seeds, 24))


@pytest.mark.parametrize(
    ("integration", "message"),
    [
        ({"stage": "formal_alliance", "depth": 0.4},
         r"blocs\.tirana\.depth: expected a depth of the stage formal_alliance"),
        ({"stage": "alliance"}, r"blocs\.tirana\.integration\.stage"),
        ({"erodes": "sometimes"}, r"blocs\.tirana\.integration\.erodes"),
    ],
)  # fmt: skip
def test_bad_integration_settings_are_refused(scenario_data, integration, message):
    with pytest.raises(ConfigError, match=message):
        with_tirana(scenario_data, **integration)


def test_a_stage_cannot_change_during_a_run(scenario_data):
    event = {"month": 3, "type": "set", "path": "blocs.tirana.integration.stage", "value": 1}
    with pytest.raises(ConfigError, match=r"events\.7\.path: expected a value that can change "
                                          r"during a run \(stage is"):  # fmt: skip
        with_tirana(scenario_data, events=[event])


def test_a_form_bloc_event_may_found_a_bloc_at_its_stage(scenario_data):
    data = copy.deepcopy(scenario_data)
    east = {"month": 2, "type": "form_bloc", "name": "east", "members": ["SRB", "HUN"],
            "eligibility": -1.0, "integration": {"stage": "security_mechanism"}}  # fmt: skip
    data["events"] = [*data["events"], east]
    scenario = scenario_from_dict(data)
    slot = compile_world(scenario).blocs[1]
    assert slot.depth == pytest.approx(0.5) and not slot.erodes
    rows = batch_rows(scenario, SEEDS[:10], months=12)
    assert (rows["east.initial_stage"] == "security mechanism").all()
    assert rows["east.stage_month_security_mechanism"].isna().all()
    assert (rows["east.final_depth"] >= 0.5).all()


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_a_dumped_scenario_loads_again_with_the_same_world(path):
    """A results folder keeps its scenario as a dump (the manifest), and the report's network
    map loads it again: a bloc that starts at its stage without a ``depth`` must round-trip
    (it once came back with the default depth 0.1, which the stage check refused)."""
    scenario = load_scenario(path)
    again = scenario_from_dict(json.loads(json.dumps(scenario.model_dump(mode="json"))))
    before, after = compile_world(scenario), compile_world(again)
    assert [slot.depth for slot in after.blocs] == [slot.depth for slot in before.blocs]
    assert after.codes == before.codes
