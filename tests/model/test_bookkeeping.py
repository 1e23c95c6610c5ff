"""Membership bookkeeping on scripted histories: join, leave and rejoin; founders; forced moves.

Voluntary decisions are switched off (decision and exit rates 0), so every move is an event and
the expected join and exit months are known exactly; both engines are checked.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment.seeds import run_seeds
from sim.scenario.loading import scenario_from_dict
from tests.conftest import assert_same_outcomes, batch_rows, mesa_rows

SEEDS = run_seeds(5, range(3))
QUIET = {"dynamics.accession.decision_rate": 0.0, "dynamics.accession.exit_rate": 0.0}


def scripted(scenario_data, events, months=12):
    """Outcome rows of both engines (checked equal) for the default scenario plus ``events``."""
    data = {**scenario_data, "events": [*scenario_data["events"], *events]}
    scenario = scenario_from_dict(data, overrides=QUIET)
    rows = batch_rows(scenario, SEEDS, months=months)
    assert_same_outcomes(mesa_rows(scenario, SEEDS, months), rows)
    return rows


def event(month, kind, country, bloc="tirana"):
    return {"month": month, "type": kind, "bloc": bloc, "country": country}


def test_join_leave_rejoin_keeps_the_first_join_and_the_first_exit(scenario_data):
    """BGR joins in month 2, leaves in 5, rejoins in 8, leaves in 9: join 2, exit 5."""
    rows = scripted(
        scenario_data,
        [
            event(2, "join", "BGR"),
            event(5, "leave", "BGR"),
            event(8, "join", "BGR"),
            event(9, "leave", "BGR"),
        ],
    )
    assert rows["join_month_BGR"].tolist() == [2.0] * 3
    assert rows["exit_month_BGR"].tolist() == [5.0] * 3
    assert rows["expansion_path"].tolist() == ["BGR"] * 3
    assert rows["new_members"].tolist() == [1] * 3
    assert rows["final_members"].tolist() == ["ALB,HRV,XKX"] * 3


def test_joins_in_order_and_same_month_joins_in_file_order(scenario_data):
    """MNE joins in month 6, then MKD and BGR together in month 3: path BGR>MKD>MNE."""
    rows = scripted(
        scenario_data,
        [event(6, "join", "MNE"), event(3, "join", "MKD"), event(3, "join", "BGR")],
    )
    assert rows["expansion_path"].tolist() == ["BGR>MKD>MNE"] * 3
    assert rows["new_members"].tolist() == [3] * 3
    joined = rows[["join_month_BGR", "join_month_MKD", "join_month_MNE"]]
    assert joined.iloc[0].tolist() == [3.0, 3.0, 6.0]


def test_a_founder_has_a_join_month_only_after_leaving_and_coming_back(scenario_data):
    """HRV (a founder) leaves in month 3 and returns in month 7: exit 3, join 7; it is not a
    new member and not on the expansion path. ALB, a founder that stays, has neither."""
    rows = scripted(scenario_data, [event(3, "leave", "HRV"), event(7, "join", "HRV")])
    assert rows["exit_month_HRV"].tolist() == [3.0] * 3
    assert rows["join_month_HRV"].tolist() == [7.0] * 3
    assert rows["join_month_ALB"].isna().all() and rows["exit_month_ALB"].isna().all()
    assert rows["new_members"].tolist() == [0] * 3
    assert rows["expansion_path"].fillna("").tolist() == [""] * 3
    assert rows["final_members"].tolist() == ["ALB,HRV,XKX"] * 3


def test_a_join_into_another_bloc_is_an_exit_from_the_pact(scenario_data):
    """A form_bloc in month 2 pulls HRV out of the pact (exit 2); a join event in month 5 moves
    it back (join 5) and out of the new bloc."""
    rows = scripted(
        scenario_data,
        [
            {"month": 2, "type": "form_bloc", "name": "adriatic", "members": ["HRV", "SVN"]},
            event(5, "join", "HRV"),
        ],
    )
    assert rows["exit_month_HRV"].tolist() == [2.0] * 3
    assert rows["join_month_HRV"].tolist() == [5.0] * 3
    assert rows["join_month_SVN"].isna().all()  # it joined another bloc, not the pact
    assert rows["final_members"].tolist() == ["ALB,HRV,XKX"] * 3


def test_a_country_moved_by_an_event_takes_no_decision_that_month(scenario_data):
    """Certain decisions (rates 1, no exit margin) and a member with a huge domestic cost: a
    forced joiner in month 4 can leave in month 5 at the earliest, and does in nearly every run."""
    data = {**scenario_data, "events": [*scenario_data["events"], event(4, "join", "SRB")]}
    overrides = {
        "dynamics.accession.exit_rate": 1.0,
        "dynamics.accession.exit_margin": 0.0,
        "countries.SRB.domestic_cost": 5.0,
    }
    seeds = run_seeds(9, range(40))
    rows = batch_rows(scenario_from_dict(data, overrides=overrides), seeds, months=8)
    assert (rows["join_month_SRB"] == 4).all()
    exits = rows["exit_month_SRB"]
    assert not exits.isin([4.0]).any()
    # exit chance sigma(-U / 0.15) with U <= -4: above 0.999, so all 40 leave in month 5
    assert (exits == 5).all()


@pytest.mark.parametrize("months", [1, 3])
def test_an_event_in_the_last_month_is_recorded(scenario_data, months):
    rows = scripted(scenario_data, [event(months - 1, "join", "BGR")], months=months)
    assert rows["join_month_BGR"].tolist() == [float(months - 1)] * 3
    assert np.all(rows["horizon"] == months)
