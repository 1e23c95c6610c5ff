"""Several blocs, all recorded: every bloc's outcome columns, and a tracked bloc founded later."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.experiment.seeds import run_seeds
from sim.scenario.loading import scenario_from_dict
from tests.conftest import assert_same_outcomes, batch_rows, mesa_rows

SEEDS = run_seeds(21, range(40))
QUIET = {"dynamics.accession.decision_rate": 0.0, "dynamics.accession.exit_rate": 0.0}


def two_blocs(scenario_data, events=(), counter=False, **bloc):
    """The default scenario with a second bloc ``east`` of Serbia and Hungary at the start."""
    data = copy.deepcopy(scenario_data)
    data["dynamics"] = {"counter_bloc": {"enabled": counter}}
    data["blocs"]["east"] = {"members": ["SRB", "HUN"], "eligibility": -1.0, **bloc}
    data["events"] = [*data["events"], *events]
    return data


def test_every_bloc_has_its_columns_and_the_tracked_one_keeps_plain_names(scenario_data):
    rows = batch_rows(scenario_from_dict(two_blocs(scenario_data)), SEEDS[:3], months=6)
    for name in ("join_month_BIH", "exit_month_SRB", "expansion_path", "final_members",
                 "new_members", "final_depth", "final_stage", "initial_stage",
                 "stage_month_security_mechanism", "stage_month_formal_alliance",
                 "final_energy"):  # fmt: skip
        assert name in rows and f"east.{name}" in rows
    assert (rows["final_members"] == "ALB,HRV,XKX").all()
    assert (rows["east.final_members"] == "SRB,HUN").all()
    assert "east.founded_month" not in rows  # a bloc of the scenario exists from the start
    assert rows.columns.get_loc("east.join_month_ALB") > rows.columns.get_loc(
        "counter_bloc_members"
    )  # the other blocs come after every column the tracked bloc had before


def test_joins_and_exits_of_the_other_bloc_are_recorded_in_its_columns(scenario_data):
    """By hand: BIH is put into east in month 4, HUN (a founder) leaves in month 6, MNE joins
    in month 9; nobody decides (decision and exit rates 0), so these are all the moves."""
    events = [
        {"month": 4, "type": "join", "bloc": "east", "country": "BIH"},
        {"month": 6, "type": "leave", "bloc": "east", "country": "HUN"},
        {"month": 9, "type": "join", "bloc": "east", "country": "MNE"},
    ]
    scenario = scenario_from_dict(two_blocs(scenario_data, events), overrides=QUIET)
    rows = batch_rows(scenario, SEEDS[:5], months=12)
    assert (rows["east.join_month_BIH"] == 4).all()
    assert (rows["east.join_month_MNE"] == 9).all()
    assert rows["east.join_month_HUN"].isna().all()  # a founder does not join
    assert (rows["east.exit_month_HUN"] == 6).all()
    assert (rows["east.new_members"] == 2).all()
    assert (rows["east.expansion_path"] == "BIH>MNE").all()
    assert (rows["east.final_members"] == "SRB,MNE,BIH").all()
    # none of it is the tracked bloc's
    assert rows["join_month_BIH"].isna().all() and (rows["new_members"] == 0).all()


def test_voluntary_joins_of_the_other_bloc_match_the_final_membership(scenario_data):
    """With frequent, noisy decisions countries join both blocs. In each bloc: every member at
    the end that did not found it has a join month; who joined and never left is a member;
    ``new_members`` counts the non-founders with a join month."""
    overrides = {"dynamics.accession.decision_rate": 0.5, "dynamics.accession.temperature": 0.5}
    scenario = scenario_from_dict(two_blocs(scenario_data), overrides=overrides)
    rows = batch_rows(scenario, SEEDS, months=36)
    assert rows["east.new_members"].sum() > 10 and rows["new_members"].sum() > 10
    founders = {"": {"ALB", "HRV", "XKX"}, "east.": {"SRB", "HUN"}}
    for prefix, founding in founders.items():
        for row in rows.to_dict("records"):
            final = set(row[f"{prefix}final_members"].split(",")) - {""}
            joined = {c for c in scenario.codes if not np.isnan(row[f"{prefix}join_month_{c}"])}
            left = {c for c in scenario.codes if not np.isnan(row[f"{prefix}exit_month_{c}"])}
            assert final - founding <= joined
            assert joined - left <= final
            assert row[f"{prefix}new_members"] == len(joined - founding)


def test_the_engines_agree_on_every_blocs_columns(scenario_data):
    overrides = {"dynamics.accession.decision_rate": 0.5, "dynamics.accession.temperature": 0.3,
                 "dynamics.counter_bloc.threat_threshold": 0.05,
                 "dynamics.counter_bloc.formation_rate": 0.3}  # fmt: skip
    events = [{"month": 3, "type": "form_bloc", "name": "later", "members": ["GRC", "ROU"]}]
    data = two_blocs(scenario_data, events, counter=True)
    scenario = scenario_from_dict(data, overrides=overrides)
    seeds = SEEDS[:6]
    batch = batch_rows(scenario, seeds, months=24)
    assert_same_outcomes(mesa_rows(scenario, seeds, months=24), batch)
    assert {"east.new_members", "later.founded_month", "counter_bloc.founded_month"} <= set(batch)
    assert (batch["later.founded_month"] == 3).all()  # the busy golden case founds counter-blocs


def founded_later(scenario_data, depth=0.1, events=()):
    """No bloc at the start; ``west`` (the tracked bloc) founded by ALB and HRV in month 5."""
    data = copy.deepcopy(scenario_data)
    data["blocs"] = {}
    data["pact"] = "west"
    for country in data["countries"].values():  # the costs of joining tirana are west's
        if isinstance(country.get("domestic_cost"), dict):
            cost = country["domestic_cost"]
            cost["west"] = cost.pop("tirana", 0.0)
    data["events"] = [
        *data["events"],
        {"month": 5, "type": "form_bloc", "name": "west", "members": ["ALB", "HRV"],
         "depth": depth},
        *events,
    ]  # fmt: skip
    return data


def test_a_tracked_bloc_founded_by_an_event_is_recorded_from_its_founding(scenario_data):
    events = [{"month": 8, "type": "join", "bloc": "west", "country": "XKX"}]
    scenario = scenario_from_dict(founded_later(scenario_data, events=events), overrides=QUIET)
    assert scenario.pact_name == "west"
    rows = batch_rows(scenario, SEEDS[:5], months=12)
    assert (rows["founded_month"] == 5).all()
    assert rows["join_month_ALB"].isna().all() and rows["join_month_HRV"].isna().all()
    assert (rows["join_month_XKX"] == 8).all()
    assert (rows["new_members"] == 1).all() and (rows["expansion_path"] == "XKX").all()
    assert (rows["final_members"] == "ALB,HRV,XKX").all()
    assert (rows["initial_stage"] == "declaration").all()


def test_the_first_founded_bloc_is_tracked_when_the_scenario_has_no_bloc(scenario_data):
    data = founded_later(scenario_data)
    del data["pact"]
    assert scenario_from_dict(data).pact_name == "west"


def test_a_bloc_founded_at_a_stage_holds_it_from_its_founding(scenario_data):
    """Founded at depth 0.9 (a formal alliance): not "reached" in any month; without noise,
    decay takes it from 0.9 to 0.9 x 0.98^6 = 0.80 by month 11, still above 2/3."""
    overrides = {**QUIET, "dynamics.integration.noise": 0.0}
    scenario = scenario_from_dict(founded_later(scenario_data, depth=0.9), overrides=overrides)
    rows = batch_rows(scenario, SEEDS[:5], months=12)
    assert (rows["initial_stage"] == "formal alliance").all()
    assert rows["stage_month_formal_alliance"].isna().all()
    assert rows["stage_month_security_mechanism"].isna().all()
    assert (rows["final_stage"] == "formal alliance").all()


def test_a_pact_must_name_a_bloc_of_the_scenario_or_of_a_form_bloc_event(scenario_data):
    data = founded_later(scenario_data)
    data["pact"] = "nowhere"
    with pytest.raises(
        ConfigError, match=r"pact: expected one of the blocs \['west'\] \(of the file"
    ):
        scenario_from_dict(data)
