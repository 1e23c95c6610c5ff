"""The Mesa engine and the batch engine give identical outcomes for the same seeds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.experiment.seeds import run_seeds
from sim.scenario.loading import load_scenario, scenario_from_dict
from sim.scenario.shipped import default_scenario_path, shipped_scenarios
from tests.conftest import assert_same_outcomes, batch_rows, mesa_rows


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_engines_agree_on_24_runs_of_each_shipped_scenario(path):
    """Tens of runs suffice: the golden file and the hand-computed tests carry the equations."""
    scenario = load_scenario(path)
    seeds = run_seeds(2025, range(24))
    batch = batch_rows(scenario, seeds)
    mesa = mesa_rows(scenario, seeds)
    assert_same_outcomes(mesa, batch)
    # The comparison is not vacuous: these runs differ among themselves (the alignment of the
    # country nearest the middle, which no clip at +-1 can make equal).
    middle = min(scenario.countries, key=lambda code: abs(scenario.countries[code].alignment))
    assert batch[f"final_alignment_{middle}"].nunique() == 24


perturbation = st.fixed_dictionaries(
    {
        "countries.SRB.alignment": st.floats(-1, 1),
        "countries.BGR.domestic_cost": st.floats(0, 1.5),
        "relations.SRB-XKX.tension": st.floats(0, 1.5),
        "relations.BGR-MKD.affinity": st.floats(-1, 1),
        "patrons.west.endorsement": st.floats(-1, 1),
        "patrons.russia.support": st.floats(0, 1),
        "dynamics.accession.decision_rate": st.floats(0, 0.5),
        "dynamics.accession.exit_margin": st.floats(0, 1),
        "dynamics.crisis.rate": st.floats(0, 0.5),
        "dynamics.counter_bloc.threat_threshold": st.floats(0, 0.3),
    }
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=perturbation, counter=st.booleans())
def test_engines_agree_on_perturbed_scenarios(scenario_data, overrides, counter):
    overrides = {**overrides, "dynamics.alignment.noise": 0.05}
    data = {**scenario_data, "dynamics": {"counter_bloc": {"enabled": counter}}}
    scenario = scenario_from_dict(data, overrides=overrides)
    seeds = run_seeds(7, range(8))
    assert_same_outcomes(mesa_rows(scenario, seeds, 60), batch_rows(scenario, seeds, 60))


def test_same_seed_same_run_different_seed_different_run():
    scenario = load_scenario(default_scenario_path())
    first = mesa_rows(scenario, [11, 11, 12])
    assert_same_outcomes(first.iloc[[0]], first.iloc[[1]])
    assert first.loc[0, "final_alignment_SRB"] != first.loc[2, "final_alignment_SRB"]


def test_a_runs_result_does_not_depend_on_its_chunk_or_order(scenario):
    seeds = run_seeds(3, range(30))
    whole = batch_rows(scenario, seeds)
    reordered = batch_rows(scenario, seeds[::-1]).iloc[::-1]
    part = batch_rows(scenario, seeds[10:17])
    assert_same_outcomes(whole, reordered)
    assert_same_outcomes(whole.iloc[10:17], part)


def test_mesa_agent_order_does_not_matter(scenario):
    """Country agents are asked in a shuffled order; results depend only on the seed."""
    from sim.model.mesa_engine import AllianceModel

    model = AllianceModel(scenario, months=60, rng=5)
    model.random.seed(999)  # a different shuffle order for the agents
    model.run()
    other = AllianceModel(scenario, months=60, rng=5)
    other.run()
    assert_same_outcomes(model.outcomes(), other.outcomes())
    assert np.array_equal(model.state.member, other.state.member)


def test_sub_chunks_do_not_change_results(scenario, monkeypatch):
    from sim.model import batch_engine
    from sim.model.world import compile_world

    world = compile_world(scenario)
    seeds = run_seeds(8, range(25))
    whole = batch_engine.simulate_batch(world, seeds, months=36, series_every=12)
    monkeypatch.setattr(batch_engine, "MEMORY_BUDGET", 1)  # one run per sub-chunk
    assert batch_engine.runs_per_chunk(world, 36) == 1
    split = batch_engine.simulate_batch(world, seeds, months=36, series_every=12)
    assert whole.runs.equals(split.runs)
    assert whole.series.equals(split.series)


def test_a_world_with_one_parameter_set_per_run_matches_separate_runs(scenario_data):
    """Sweeps give each run its own values: stacking worlds along the run axis."""
    from dataclasses import replace

    import numpy as np

    from sim.model.batch_engine import simulate_batch
    from sim.model.world import RUN_ARRAYS, compile_world

    values = [-0.5, 0.0, 0.3]
    worlds = [
        compile_world(scenario_from_dict(scenario_data, overrides={"patrons.west.endorsement": v}))
        for v in values
    ]
    stacked = replace(
        worlds[0],
        **{name: np.concatenate([getattr(w, name) for w in worlds]) for name in RUN_ARRAYS},
        params={k: np.concatenate([w.params[k] for w in worlds]) for k in worlds[0].params},
    )
    seeds = run_seeds(5, range(3))
    together = simulate_batch(stacked, seeds, months=60).runs
    for k, world in enumerate(worlds):
        alone = simulate_batch(world, seeds[k : k + 1], months=60).runs
        assert together.iloc[[k]].reset_index(drop=True).equals(alone)


def test_engines_agree_with_three_patrons_one_a_country_and_changing_ties(scenario_data):
    """China (pole -0.4) backs Serbia, Hungary is a patron of Bosnia, ties and guarantees change
    by events: every patron term runs in both engines."""
    data = {**scenario_data, "patrons": {**scenario_data["patrons"],
            "china": {"pole": -0.4, "pull": 0.02, "support": 0.8, "clients": {"SRB": 0.6}},
            "budapest": {"pole": 0.2, "support": 1.0, "country": "HUN", "clients": {"BIH": 0.5},
                         "endorsement": 0.3}}}  # fmt: skip
    data["events"] = [
        *scenario_data["events"],
        {"month": 6, "type": "add", "path": "patrons.china.clients.MNE", "value": 0.4},
        {"month": 9, "type": "set", "path": "patrons.west.guarantees.ALB", "value": False},
    ]
    scenario = scenario_from_dict(data)
    seeds = run_seeds(3, range(8))
    assert_same_outcomes(mesa_rows(scenario, seeds, 48), batch_rows(scenario, seeds, 48))
