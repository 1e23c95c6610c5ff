"""Trajectories agree with the outcome rows, and the timeline tells a scripted history in order."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.batch_engine import simulate_batch
from sim.model.mesa_engine import AllianceModel
from sim.model.world import compile_world
from sim.scenario.loading import scenario_from_dict
from tests import regenerate_golden as golden


@pytest.fixture(scope="module")
def busy():
    world = compile_world(golden.case_scenario("busy"))
    return world, simulate_batch(world, list(golden.CASE_SEEDS), months=24, series_every=12)


def test_yearly_trajectories_end_where_the_outcome_rows_do(busy):
    world, result = busy
    series, rows = result.series, result.runs
    assert series["month"].tolist() == [11, 23] * len(rows)
    assert series["run"].tolist() == np.repeat(np.arange(len(rows)), 2).tolist()
    last = series[series["month"] == 23].reset_index(drop=True)
    assert np.allclose(last["mean_tension"], rows["final_mean_tension"], rtol=0, atol=1e-12)
    assert np.allclose(last["depth"], rows["final_depth"], rtol=0, atol=1e-12)
    members = rows["final_members"].fillna("").str.split(",").map(len)
    assert last["members"].tolist() == members.tolist()
    for code in world.codes:
        assert np.allclose(last[f"alignment_{code}"], rows[f"final_alignment_{code}"], atol=1e-12)
    peak = series.groupby("run")["tension_SRB-XKX"].max().to_numpy()
    assert np.all(peak <= rows["peak_tension_SRB-XKX"].to_numpy() + 1e-12)
    expected = [
        "run", "seed", "month", "mean_tension", "depth", "members",
        *[f"tension_{a}-{b}" for a, b in (("SRB", "XKX"), ("SRB", "HRV"), ("SRB", "ALB"))],
        *[f"alignment_{code}" for code in world.codes],
        "counter_bloc.depth", "counter_bloc.members",  # every other bloc, after the rest
    ]  # fmt: skip
    assert list(series.columns) == expected
    assert np.allclose(last["counter_bloc.depth"], rows["counter_bloc.final_depth"], atol=1e-12)
    counter = (
        rows["counter_bloc.final_members"].fillna("").map(lambda m: len(m.split(",")) if m else 0)
    )
    assert last["counter_bloc.members"].tolist() == counter.tolist()


def test_without_a_series_request_there_are_no_trajectories(busy):
    world, _ = busy
    assert simulate_batch(world, [1], months=3).series is None


def test_the_timeline_of_a_scripted_history(scenario_data):
    """BGR joins in month 2 and leaves in 5; SVN and MNE found a bloc in 3; fast integration
    makes the pact a security mechanism, then a formal alliance; crises every month."""
    events = [
        {"month": 2, "type": "join", "bloc": "tirana", "country": "BGR"},
        {"month": 5, "type": "leave", "bloc": "tirana", "country": "BGR"},
        {"month": 3, "type": "form_bloc", "name": "adriatic", "members": ["SVN", "MNE"]},
    ]
    overrides = {
        "dynamics.accession.decision_rate": 0.0,
        "dynamics.accession.exit_rate": 0.0,
        "dynamics.crisis.rate": 1.0,
        "dynamics.crisis.threshold": 0.0,
        "dynamics.integration.growth": 0.5,
    }
    data = {**scenario_data, "events": [*scenario_data["events"], *events]}
    model = AllianceModel(scenario_from_dict(data, overrides=overrides), months=8,
                          timeline=True, rng=3)  # fmt: skip
    model.run()
    lines = [(month, text) for month, text in model.timeline() if not text.startswith("crisis")]
    moves = [line for line in lines if "becomes" not in line[1]]
    assert moves[:2] == [("2025-05", "Bulgaria joins tirana"),
                         ("2025-06", "Montenegro joins adriatic")]  # fmt: skip
    assert ("2025-06", "Slovenia joins adriatic") in lines
    assert ("2025-08", "Bulgaria leaves tirana") in lines
    stages = [text for _, text in lines if "becomes" in text]
    assert stages == ["tirana becomes a security mechanism", "tirana becomes a formal alliance"]
    crises = [text for _, text in model.timeline() if text.startswith("crisis")]
    assert len(crises) == 8
    assert all(text.startswith("crisis between Kosovo and Serbia (tension ") for text in crises)


def test_the_timeline_names_a_counter_blocs_founders_once(busy):
    model = AllianceModel(golden.case_scenario("busy"), months=24, timeline=True, rng=1)
    model.run()
    formed = [(m, t) for m, t in model.timeline() if t.startswith("counter-bloc formed by")]
    assert len(formed) == 1
    month, text = formed[0]
    # names may contain "and" themselves (Bosnia and Herzegovina): match against the names
    names = [country.name for country in golden.case_scenario("busy").countries.values()]
    pairs = [(a, b) for a in names for b in names
             if a != b and text == f"counter-bloc formed by {a} and {b}"]  # fmt: skip
    assert len(pairs) == 1 and "Serbia" in pairs[0]
    founders = pairs[0]
    same_month = [t for m, t in model.timeline() if m == month]
    assert not any(t == f"{name} joins {t.split(' joins ')[-1]}" for name in founders
                   for t in same_month if " joins " in t)  # fmt: skip
