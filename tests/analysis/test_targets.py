"""Targets at any month (`by: 2026-01`) and the candidates a summary reports."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import load_experiment, run_experiment
from sim.analysis.results import Results
from sim.analysis.stats import StatsInputError
from sim.analysis.summary import join_targets, summary_table
from sim.errors import ConfigError
from sim.scenario.loading import scenario_from_dict
from sim.scenario.shipped import default_scenario_path


def runs_with(join_months):
    n = len(join_months)
    return pd.DataFrame({
        "variant": "baseline", "horizon": 24, "new_members": 0, "crisis_count": 0,
        "peak_tension": 1.0, "expansion_path": "", "join_month_BGR": join_months,
        "design_id": 0, "replication": np.arange(n),
    })  # fmt: skip


def test_joined_by_a_month_counts_joins_up_to_its_end():
    """Start 2025-03: 2025-05 is step 2, so "by 2025-05" counts join months 0 to 2 (2 of the
    8 runs below: months 0 and 2, not 3); year 1 counts months 0 to 11 (4 of 8). Rows come in
    calendar order."""
    runs = runs_with([0, 2, 3, np.nan, 11, 12, 23, np.nan])
    table = summary_table(runs, ["BGR"], years=[1], by=["2025-05"], start="2025-03")
    joined = table[table["measure"].str.startswith("P(joined by ")]
    assert list(joined["measure"]) == ["P(joined by 2025-05)", "P(joined by year 1)"]
    assert list(joined["estimate"]) == [2 / 8, 4 / 8]


def test_a_month_beyond_the_shortest_horizon_is_skipped():
    table = summary_table(runs_with([0, 20]), ["BGR"], years=[], by=["2027-03"], start="2025-03")
    assert not table["measure"].str.startswith("P(joined by ").any()


@pytest.mark.parametrize(
    ("by", "start", "message"),
    [(["2025/05"], "2025-03", r"by: expected months written YYYY-MM, found '2025/05'"),
     (["2025-01"], "2025-03", r"by: expected months from 2025-03 on"),
     (["2025-05"], None, r"by: calendar-month targets need the scenario's start month")],
)  # fmt: skip
def test_bad_month_targets_are_refused(by, start, message):
    with pytest.raises(StatsInputError, match=message):
        join_targets([], by, start)


def write_experiment(tmp_path, **extra):
    data = {"name": "targets", "scenario": str(default_scenario_path()), "replications": 30,
            "months": 24, "years": [1], **extra}  # fmt: skip
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("by", "message"),
    [(["2027-03"], r"by\.0: expected a month from the scenario's start 2025-03 to the "
                   r"horizon's last month 2027-02, found '2027-03'"),
     (["2026-01", "March"], r"by\.1: expected a month written YYYY-MM, found 'March'"),
     (["2024-12"], r"by\.0: expected a month from the scenario's start 2025-03")],
)  # fmt: skip
def test_an_experiment_target_outside_the_horizon_is_refused(tmp_path, by, message):
    with pytest.raises(ConfigError, match=message):
        load_experiment(write_experiment(tmp_path, by=by))


def test_a_shorter_trial_horizon_drops_later_month_targets(tmp_path):
    path = write_experiment(tmp_path, by=["2025-06", "2026-06"])
    assert load_experiment(path, months=12).by == ["2025-06"]


def test_a_summary_reports_the_month_targets_of_the_experiment(tmp_path):
    path = write_experiment(tmp_path, by=["2026-01"])
    results = run_experiment(load_experiment(path), out=tmp_path / "out", executor="serial",
                             progress=False)  # fmt: skip
    measures = set(results.summary["measure"])
    assert {"P(joined by 2026-01)", "P(joined by year 1)"} <= measures


def candidates_of(tmp_path, scenario):
    manifest = {"format": 1, "name": "candidates", "status": "complete", "experiment": {},
                "tasks": [], "scenario": scenario.model_dump(mode="json")}  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return Results(tmp_path).candidates


def test_members_of_a_rival_bloc_are_not_candidates_unless_listed(tmp_path, scenario_data):
    data = copy.deepcopy(scenario_data)
    data["blocs"]["rivals"] = {"members": ["SRB", "HUN"]}
    scenario = scenario_from_dict(data)
    found = candidates_of(tmp_path, scenario)
    assert "SRB" not in found and "HUN" not in found and "ALB" not in found
    assert "BGR" in found
    data["groups"] = {"hopefuls": ["BGR", "MNE"]}
    data["blocs"]["tirana"]["candidates"] = ["@hopefuls", "SRB"]
    assert candidates_of(tmp_path, scenario_from_dict(data)) == ["BGR", "MNE", "SRB"]


def test_a_founder_is_not_a_candidate_of_its_bloc(scenario_data):
    data = copy.deepcopy(scenario_data)
    data["blocs"]["tirana"]["candidates"] = ["BGR", "ALB"]
    with pytest.raises(ConfigError, match=r"blocs\.tirana\.candidates: expected listed country "
                       r"codes, not members of the bloc at the start, found 'ALB'"):  # fmt: skip
        scenario_from_dict(data)


def test_the_candidates_of_a_tracked_bloc_an_event_founds_are_not_its_founders(
    tmp_path, scenario_data
):
    data = copy.deepcopy(scenario_data)
    data["pact"] = "west"
    data["events"] = [*data["events"], {"month": 4, "type": "form_bloc", "name": "west",
                                        "members": ["BGR", "ROU"]}]  # fmt: skip
    found = candidates_of(tmp_path, scenario_from_dict(data))
    assert "BGR" not in found and "ROU" not in found  # its founders
    assert "ALB" not in found  # in a bloc (tirana) at the start
    assert "MKD" in found and "SRB" in found


def test_the_founders_of_a_bloc_an_event_founds_are_not_candidates_of_the_pact(
    tmp_path, scenario_data
):
    """Europe 1955: the Warsaw Pact is founded by an event; its members (given as a group)
    were reported as candidates of NATO, the complaint of issue 10 item 7."""
    data = copy.deepcopy(scenario_data)
    data["groups"] = {"east": ["SRB", "HUN"]}
    data["events"] = [*data["events"], {"month": 4, "type": "form_bloc", "name": "east",
                                        "members": ["@east", "BIH"]}]  # fmt: skip
    found = candidates_of(tmp_path, scenario_from_dict(data))
    assert not {"SRB", "HUN", "BIH"} & set(found)
    assert "BGR" in found and "MKD" in found
