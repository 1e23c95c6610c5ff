"""Events and membership bookkeeping: forced moves, exits, founders, worlds without blocs."""

from __future__ import annotations

import numpy as np

from sim.experiment.seeds import run_seeds
from sim.model.draws import draw_runs, generators_for
from sim.scenario.loading import scenario_from_dict
from sim.scenario.synthetic import synthetic_scenario
from tests.conftest import assert_same_outcomes, batch_rows, mesa_rows

SEEDS = run_seeds(11, range(200))


def with_events(scenario_data, events, overrides=None, **dynamics):
    data = {**scenario_data, "events": [*scenario_data["events"], *events]}
    if dynamics:
        data["dynamics"] = dynamics
    return scenario_from_dict(data, overrides=overrides or {})


def test_a_leave_event_is_recorded_as_an_exit(scenario_data):
    scenario = with_events(
        scenario_data, [{"month": 5, "type": "leave", "bloc": "tirana", "country": "HRV"}]
    )
    rows = batch_rows(scenario, SEEDS, months=24)
    assert (rows["exit_month_HRV"] == 5).all()
    assert (
        not rows["final_members"].str.contains("HRV").any()
        or (rows.loc[rows["final_members"].str.contains("HRV"), "join_month_HRV"] > 5).all()
    )


def test_a_forced_joiner_does_not_leave_in_its_first_month(scenario_data):
    scenario = with_events(
        scenario_data,
        [{"month": 0, "type": "join", "bloc": "tirana", "country": "SRB"}],
        {
            "dynamics.accession.exit_rate": 1.0,
            "dynamics.accession.exit_margin": 0.0,
            "countries.SRB.domestic_cost": 5.0,
        },
    )
    rows = batch_rows(scenario, SEEDS, months=12)
    assert (rows["join_month_SRB"] == 0).all()
    # so unhappy that it leaves at its first chance, which is month 1, not month 0
    assert (rows["exit_month_SRB"] == 1).mean() > 0.9
    assert (rows["exit_month_SRB"] != 0).all()


def test_a_redundant_join_of_a_founder_changes_nothing(scenario_data):
    base = batch_rows(scenario_from_dict(scenario_data), SEEDS[:50], months=36)
    scenario = with_events(
        scenario_data, [{"month": 3, "type": "join", "bloc": "tirana", "country": "ALB"}]
    )
    rows = batch_rows(scenario, SEEDS[:50], months=36)
    assert rows["join_month_ALB"].isna().all()
    assert_same_outcomes(base, rows)


def test_form_bloc_pulls_a_member_out_of_the_pact_as_an_exit(scenario_data):
    scenario = with_events(
        scenario_data,
        [{"month": 4, "type": "form_bloc", "name": "adriatic", "members": ["HRV", "SVN"]}],
    )
    rows = batch_rows(scenario, SEEDS[:50], months=12)
    assert (rows["exit_month_HRV"] == 4).all()
    assert rows["new_members"].ge(0).all()
    assert not rows["expansion_path"].str.contains("HRV").any()


def test_a_world_without_blocs_runs_in_both_engines(scenario_data):
    data = {**scenario_data, "blocs": {}, "pact": None, "events": scenario_data["events"][:3]}
    hungary = {**data["countries"]["HUN"], "domestic_cost": 1.2}  # no bloc names to refer to
    data["countries"] = {**data["countries"], "HUN": hungary}
    scenario = scenario_from_dict(data)
    seeds = SEEDS[:20]
    batch = batch_rows(scenario, seeds, months=24)
    assert_same_outcomes(mesa_rows(scenario, seeds, 24), batch)
    assert "final_members" not in batch.columns
    assert batch["peak_tension"].gt(0).all()


def test_common_random_numbers_survive_an_extra_bloc():
    one = draw_runs(generators_for([5, 6]), 24, 12, 1)
    two = draw_runs(generators_for([5, 6]), 24, 12, 2)
    for field in ("alignment", "tension", "exit", "form", "crisis"):
        assert np.array_equal(getattr(one, field), getattr(two, field))
    assert np.array_equal(one.join[..., 0], two.join[..., 0])


def test_runs_do_not_depend_on_their_chunk_with_many_countries():
    scenario = synthetic_scenario(48, rng=3)
    seeds = SEEDS[:12]
    whole = batch_rows(scenario, seeds, months=36)
    alone = [batch_rows(scenario, [seed], months=36) for seed in seeds[:3]]
    for k, row in enumerate(alone):
        assert row.equals(whole.iloc[[k]].reset_index(drop=True))


def test_numpy_integer_seeds_work_in_the_mesa_model(scenario):
    from sim.model.mesa_engine import AllianceModel

    model = AllianceModel(scenario, months=6, rng=np.int64(9))
    model.run()
    assert_same_outcomes(model.outcomes(), mesa_rows(scenario, [9], 6).drop(columns="seed"))
