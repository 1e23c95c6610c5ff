"""Accession as a process (MODEL.md A1 to A5): hand-computed rules, stage timing in a small
scenario, hold-outs and their price, engine identity and the consistency of membership."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ConfigError
from sim.model import process
from sim.model.batch_engine import simulate_batch
from sim.model.mesa_engine import AllianceModel
from sim.model.world import compile_world
from sim.scenario.loading import scenario_from_dict
from tests.conftest import assert_same_outcomes, batch_rows, mesa_rows, sd_tolerance

# --- the pure rules, by hand ------------------------------------------------------------------


def test_willingness_adds_concession_and_side_payment_and_withholds_the_holdout():
    """approval = p - v + c + s; willingness = approval - h, member by member (asymmetric)."""
    propensity = np.array([[[0.0, 0.1], [-0.5, 0.0]]])  # p[0, 1] = 0.1, p[1, 0] = -0.5
    concession = np.array([[[0.0, 0.0], [0.25, 0.0]]])
    side = np.array([[[0.0, 0.05], [0.0, 0.0]]])
    holdout = np.array([[[0.0, 0.4], [0.0, 0.0]]])
    approval, willing = process.willingness(propensity, np.array([-0.2]), concession, side, holdout)
    assert approval[0, 0, 1] == pytest.approx(0.1 + 0.2 + 0.05)  # 0.35
    assert willing[0, 0, 1] == pytest.approx(0.35 - 0.4)  # approves the invitation, holds out
    assert approval[0, 1, 0] == pytest.approx(-0.5 + 0.2 + 0.25)  # -0.05: still vetoes
    assert willing[0, 1, 0] == pytest.approx(-0.05)


@pytest.mark.parametrize(
    ("yes", "rule", "approved"),
    [
        ([True, True, True], "unanimity", True),
        ([True, True, False], "unanimity", False),
        ([True, True, False], "majority", True),  # 2 of 3 > half
        ([True, False, False], "majority", False),  # 1 of 3
        ([True, False, False], "leader", True),  # the leader (member 0) says yes
        ([False, True, True], "leader", False),  # the others cannot overrule it
    ],
)
def test_invitation_rules_both_sides(yes, rule, approved):
    members = np.zeros((1, 4, 4), dtype=bool)
    members[0, :3, 3] = True  # members 0, 1, 2 vote on candidate 3
    approves = np.zeros((1, 4, 4), dtype=bool)
    approves[0, :3, 3] = yes
    rules = np.full((1, 4), process.RULES[rule])
    leader = np.full((1, 4), 0 if rule == "leader" else -1)
    assert process.invitation_approved(approves, members, rules, leader)[0, 3] == approved


def test_majority_of_two_needs_both_and_a_leader_outside_the_bloc_has_no_say():
    members = np.zeros((1, 3, 3), dtype=bool)
    members[0, :2, 2] = True
    approves = members.copy()
    approves[0, 1, 2] = False
    majority = np.full((1, 3), process.RULES["majority"])
    assert not process.invitation_approved(approves, members, majority, np.full((1, 3), -1))[0, 2]
    leader = np.full((1, 3), process.RULES["leader"])
    members[0, 0, 2] = False  # the leader (0) is not a member this month
    assert not process.invitation_approved(approves, members, leader, np.zeros((1, 3), int))[0, 2]


# --- a small scenario with certain rates: the stages month by month ----------------------------


def base(**process_settings) -> dict:
    """Founders A, B, C of a bloc with accession: process; candidate D; far apart, friendly."""
    country = {"capability": 1.0, "alignment": 0.8, "domestic_cost": 0.0}
    places = {"A": (40.0, 0.0), "B": (50.0, 10.0), "C": (60.0, 20.0), "D": (45.0, 30.0)}
    settings = {"invitation_rate": 1.0, "ratification_rate": 1.0, **process_settings}
    return {
        "name": "process",
        "start": "2000-01",
        "countries": {
            code: {"name": code, **country, "lat": lat, "lon": lon}
            for code, (lat, lon) in places.items()
        },
        "relation_defaults": {"affinity": 0.5, "tension": 0.05},
        "blocs": {
            "pact": {"members": ["A", "B", "C"], "accession": "process", "process": settings}
        },
        "dynamics": {
            "accession": {"decision_rate": 0.0, "exit_rate": 0.0},
            "alignment": {"noise": 0.0},
            "tension": {"noise": 0.0},
            "crisis": {"rate": 0.0},
        },
        "events": [{"type": "apply", "bloc": "pact", "country": "D", "month": 2}],
    }


def one_run(data: dict, months: int = 24):
    return batch_rows(scenario_from_dict(data), [1], months).iloc[0]


def test_stages_follow_each_other_month_by_month():
    """Apply 2 (event), invited 3, every member ratifies 4, effective 4 (no lag)."""
    row = one_run(base())
    assert [row[f"{s}_month_D"] for s in ("apply", "invite", "ratified", "effective")] == [
        2, 3, 4, 4
    ]  # fmt: skip
    assert row["join_month_D"] == 4 and row["holdout_months_D"] == 0
    assert row["veto_months_D"] == 0
    assert [row[f"ratify_month_D_by_{m}"] for m in "ABC"] == [4, 4, 4]
    assert row["final_members"] == "A,B,C,D"


def test_ratification_columns_name_only_countries_that_could_ratify():
    """A member of another bloc (E and F, founded by an event) is no ratifier of the pact and
    gets no ratify_month_<C>_by_<M> column (the columns were there, always empty)."""
    data = base()
    data["countries"] |= {c: {"name": c, "capability": 1.0, "alignment": -0.8, "lat": 30.0 + k,
                              "lon": 40.0} for k, c in enumerate("EF")}  # fmt: skip
    data["events"] = [*data["events"],
                      {"type": "form_bloc", "name": "rival", "members": ["E", "F"], "month": 1,
                       "eligibility": -1.0}]  # fmt: skip
    row = one_run(data)
    assert [row[f"ratify_month_D_by_{m}"] for m in "ABC"] == [4, 4, 4]
    ratifiers = {c.rsplit("_by_", 1)[1] for c in row.index if c.startswith("ratify_month_D_by")}
    assert ratifiers == {"A", "B", "C"}


def test_effective_lag_delays_membership_after_the_last_ratification():
    row = one_run(base(effective_lag=3))
    assert row["ratified_month_D"] == 4 and row["effective_month_D"] == 7
    assert row["join_month_D"] == 7


def test_explicit_holdout_blocks_ratification_but_not_the_invitation():
    row = one_run(base(holdouts={"C": 5.0}))
    assert row["invite_month_D"] == 3  # C approves the invitation (the hold-out is not in it)
    assert row["ratify_month_D_by_A"] == 4 and np.isnan(row["ratify_month_D_by_C"])
    assert np.isnan(row["effective_month_D"]) and np.isnan(row["join_month_D"])
    assert row["holdout_months_D"] == 24 - 4  # months 4 to 23


def test_a_concession_lifts_the_holdout_in_its_month_and_a_smaller_one_does_not():
    """p_CD = 0.975 (similar alignments, affinity 0.5; it drifts by 1e-4 in ten months), so
    C's willingness is 0.975 + 0.2 - 5 = -3.825: the price of its ratification."""
    data = base(holdouts={"C": 5.0})
    data["events"].append(
        {"type": "concession", "to": "C", "candidate": "D", "value": 3.9, "by": "D", "month": 10}
    )
    row = one_run(data)
    assert row["ratify_month_D_by_C"] == 10 and row["effective_month_D"] == 10
    assert row["holdout_months_D"] == 6  # months 4 to 9
    data["events"][-1]["value"] = 3.75  # short of the price: C still holds out
    assert np.isnan(one_run(data)["effective_month_D"])


def test_a_side_payment_covers_the_holdout():
    row = one_run(base(holdouts={"C": 1.2}, side_payments={"C": 0.05}))
    assert row["effective_month_D"] == 4 and row["holdout_months_D"] == 0  # 1.225 > 1.2
    row = one_run(base(holdouts={"C": 1.2}, side_payments={"C": 0.0}))
    assert np.isnan(row["effective_month_D"])  # 1.175 < 1.2


def test_a_vetoing_member_blocks_the_invitation_until_a_concession():
    """D-C affinity -1: p_CD below the veto threshold, so unanimity does not invite; majority
    and the leader A do; a third party's concession to C lets unanimity invite."""
    data = base()
    data["relations"] = {"C-D": {"affinity": -1.0, "tension": 1.5}}
    vetoed = one_run(data)
    assert np.isnan(vetoed["invite_month_D"])
    assert vetoed["veto_months_D"] == 24 - 3 and vetoed["holdout_months_D"] == 0  # 3 to 23
    majority = copy.deepcopy(data)
    majority["blocs"]["pact"]["process"]["invitation"] = "majority"
    assert one_run(majority)["invite_month_D"] == 3
    assert np.isnan(one_run(majority)["ratify_month_D_by_C"])  # C still holds out
    leader = copy.deepcopy(data)
    leader["blocs"]["pact"]["process"].update(invitation="leader", leader="A")
    assert one_run(leader)["invite_month_D"] == 3
    data["events"].append(
        {"type": "concession", "to": "C", "candidate": "D", "value": 3.0, "by": "A", "month": 6}
    )
    row = one_run(data)
    assert row["invite_month_D"] == 6 and row["effective_month_D"] == 7
    assert row["veto_months_D"] == 3  # months 3 to 5: applied at 2, weighed from 3


def test_set_and_add_events_change_process_settings_from_their_month():
    """Lowering C's hold-out to 0 at month 10 lets it ratify then, as a concession would; a
    side payment added at month 12 does too; a bloc-wide ratification rate of 0 stops all."""
    data = base(holdouts={"C": 5.0})
    data["events"].append(
        {"type": "set", "path": "blocs.pact.process.holdouts.C", "value": 0.0, "month": 10}
    )
    assert one_run(data)["effective_month_D"] == 10
    data["events"][-1] = {"type": "add", "path": "blocs.pact.process.side_payments.C",
                          "value": 4.0, "month": 12}  # fmt: skip
    assert one_run(data)["effective_month_D"] == 12
    stopped = base()
    stopped["events"].append(
        {"type": "set", "path": "blocs.pact.process.ratification_rate", "value": 0.0, "month": 3}
    )
    row = one_run(stopped)
    assert row["invite_month_D"] == 3 and np.isnan(row["ratified_month_D"])
    assert row["holdout_months_D"] == 0  # willing but slow is not holding out


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("blocs.pact.process.holdouts.E", 0.1, r"a listed country code after blocs\.pact"),
        ("blocs.pact.process.leader", 1.0, r"blocs\.<name>\.process\.<one of"),
        ("blocs.pact.process.holdouts.C", -0.5, r"events\.1\.value: expected"),
        ("blocs.pact.accession", 1.0, r"accession is fixed when the bloc is founded"),
    ],
)
def test_bad_changes_of_process_settings_are_refused(path, value, message):
    data = base()
    data["events"].append({"type": "set", "path": path, "value": value, "month": 3})
    with pytest.raises(ConfigError, match=message):
        scenario_from_dict(data)


def test_an_invite_event_starts_ratification_without_an_application():
    data = base()
    data["events"] = [{"type": "invite", "bloc": "pact", "country": "D", "month": 5}]
    row = one_run(data)
    assert row["apply_month_D"] == 5 and row["invite_month_D"] == 5
    assert row["ratified_month_D"] == 6 and row["effective_month_D"] == 6


def test_own_application_follows_the_decision_rule():
    """With decision rate 1 and a friendly bloc, D applies in month 0 by its own decision."""
    data = base()
    data["events"] = []
    data["dynamics"]["accession"]["decision_rate"] = 1.0
    row = one_run(data)
    assert row["apply_month_D"] == 0 and row["invite_month_D"] == 1
    assert row["effective_month_D"] == 2


def test_simple_blocs_have_no_process_columns_and_ignore_nothing_else():
    data = base()
    del data["blocs"]["pact"]["process"]
    data["blocs"]["pact"]["accession"] = "simple"
    data["events"] = []
    row = one_run(data)
    assert not any(c.startswith(("apply_month", "ratify_month")) for c in row.index)


# --- rates: per-member ratification timing, a hold-out's delay and its price ------------------


def test_each_member_ratifies_with_its_own_hazard():
    """B's months from invitation to ratification are geometric with mean 1 / 0.1 = 10."""
    data = base(ratification_rates={"B": 0.1})
    rows = batch_rows(scenario_from_dict(data), np.arange(400), 120)
    assert (rows["ratify_month_D_by_A"] == rows["invite_month_D"] + 1).all()
    waits = rows["ratify_month_D_by_B"] - rows["invite_month_D"]
    se = np.sqrt(1 - 0.1) / 0.1 / np.sqrt(len(rows))
    assert abs(waits.mean() - 10.0) < 4 * se
    assert (rows["ratified_month_D"] == rows[[f"ratify_month_D_by_{m}" for m in "ABC"]]
            .max(axis=1)).all()  # fmt: skip


def test_a_holdout_delays_accession_and_a_concession_lifts_it_in_paired_runs():
    """Same seeds: without a hold-out D is in by month 36 in most runs; C's hold-out keeps it
    out in every run; a concession at month 24 lets it in, never before the run without it."""
    free = base(ratification_rate=0.2, invitation_rate=0.25)
    held = base(ratification_rate=0.2, invitation_rate=0.25, holdouts={"C": 5.0})
    priced = copy.deepcopy(held)
    priced["events"].append(
        {"type": "concession", "to": "C", "candidate": "D", "value": 6.0, "month": 24}
    )
    seeds, months = np.arange(300), 60
    runs = {name: batch_rows(scenario_from_dict(d), seeds, months)["effective_month_D"]
            for name, d in (("free", free), ("held", held), ("priced", priced))}  # fmt: skip
    assert runs["held"].isna().all()
    in_free = (runs["free"] < 36).mean()
    # P(invited by 35 and all three ratify by 35) is close to 1 at these rates
    assert in_free > 1 - sd_tolerance(0.99, len(seeds)) - 0.02
    assert (runs["priced"] >= 24).all()
    assert (runs["priced"].fillna(np.inf) >= runs["free"].fillna(np.inf)).all()
    p_priced = (runs["priced"] < months).mean()
    assert p_priced > 0.9  # C ratifies at rate 0.2 from month 24: 1 - 0.8^36 of the rest


def test_engines_agree_on_the_process():
    data = base(ratification_rate=0.3, invitation_rate=0.2, holdouts={"C": 0.2}, effective_lag=1)
    data["dynamics"]["accession"]["decision_rate"] = 0.1
    data["dynamics"]["alignment"] = {"noise": 0.2}
    data["events"].append(
        {"type": "concession", "to": "C", "candidate": "D", "value": 0.1, "month": 12}
    )
    data["events"].append(
        {"type": "add", "path": "blocs.pact.process.ratification_rates.B", "value": -0.2,
         "month": 6}
    )  # fmt: skip
    scenario = scenario_from_dict(data)
    seeds = np.arange(16)
    batch = batch_rows(scenario, seeds, 48)
    assert_same_outcomes(mesa_rows(scenario, seeds, 48), batch)
    assert batch["effective_month_D"].nunique() > 2  # not vacuous


def two_candidates(**process_settings) -> dict:
    """base() with a second candidate E; D and E are invited by events in month 2."""
    data = base(**process_settings)
    data["countries"]["E"] = {"name": "E", "capability": 1.0, "alignment": 0.8,
                              "domestic_cost": 0.0, "lat": 47.0, "lon": 25.0}  # fmt: skip
    data["events"] = [{"type": "invite", "bloc": "pact", "country": c, "month": 2} for c in "DE"]
    return data


def test_ratifying_together_makes_candidates_invited_together_join_together():
    """One act per member and month (P3): with ratify_together D and E join in the same month
    in every run; with a draw per candidate they do so only when the three members' draws
    happen to agree (about 7% of runs at rate 0.2)."""
    seeds = np.arange(200)
    together = batch_rows(
        scenario_from_dict(two_candidates(ratification_rate=0.2, ratify_together=True)), seeds, 60
    )
    apart = batch_rows(scenario_from_dict(two_candidates(ratification_rate=0.2)), seeds, 60)
    assert together["join_month_D"].notna().all()
    assert (together["join_month_D"] == together["join_month_E"]).all()
    for m in "ABC":
        assert (together[f"ratify_month_D_by_{m}"] == together[f"ratify_month_E_by_{m}"]).all()
    assert (apart["join_month_D"] == apart["join_month_E"]).mean() < 0.2


def test_ratifying_together_keeps_willingness_per_candidate():
    """C objects to E only (affinity -1): it ratifies D in its act and holds out on E."""
    data = two_candidates(ratification_rate=0.2, ratify_together=True)
    data["relations"] = {"C-E": {"affinity": -1.0}}
    rows = batch_rows(scenario_from_dict(data), np.arange(100), 60)
    assert rows["join_month_D"].notna().all() and rows["join_month_E"].isna().all()
    assert rows["ratify_month_E_by_C"].isna().all() and (rows["holdout_months_E"] > 0).all()
    assert rows["ratify_month_E_by_A"].notna().all()


def test_engines_agree_when_ratifying_together():
    data = two_candidates(ratification_rate=0.3, ratify_together=True, holdouts={"C": 0.2})
    data["dynamics"]["alignment"] = {"noise": 0.2}
    scenario = scenario_from_dict(data)
    seeds = np.arange(12)
    batch = batch_rows(scenario, seeds, 36)
    assert_same_outcomes(mesa_rows(scenario, seeds, 36), batch)
    assert batch["join_month_D"].nunique() > 2  # not vacuous


# --- membership is consistent with the stages (property) --------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    invitation_rate=st.floats(0.05, 1.0),
    ratification_rate=st.floats(0.05, 1.0),
    lag=st.integers(0, 4),
    holdout=st.floats(0.0, 1.5),
    concession=st.floats(0.0, 2.0),
    month=st.integers(0, 30),
    rule=st.sampled_from(["unanimity", "majority"]),
)
def test_no_member_before_its_last_ratification(
    invitation_rate, ratification_rate, lag, holdout, concession, month, rule
):
    data = base(
        invitation_rate=invitation_rate,
        ratification_rate=ratification_rate,
        effective_lag=lag,
        holdouts={"B": holdout},
        invitation=rule,
    )
    data["dynamics"]["accession"]["decision_rate"] = 0.2
    data["events"] = [
        {"type": "concession", "to": "B", "candidate": "D", "value": concession, "month": month}
    ]
    world = compile_world(scenario_from_dict(data))
    rows = simulate_batch(world, np.arange(20), months=48).runs
    joined = rows["join_month_D"].notna()
    assert (rows.loc[joined, "effective_month_D"] == rows.loc[joined, "join_month_D"]).all()
    done = rows["ratified_month_D"].notna()
    for earlier, later in (("apply", "invite"), ("invite", "ratified")):
        ok = rows[f"{earlier}_month_D"] < rows[f"{later}_month_D"]
        assert (ok | rows[f"{later}_month_D"].isna()).all()
    assert (rows.loc[joined, "effective_month_D"] - rows.loc[joined, "ratified_month_D"]
            == lag).all()  # fmt: skip
    for member in "ABC":
        ratify = rows.loc[done, f"ratify_month_D_by_{member}"]
        assert (ratify <= rows.loc[done, "ratified_month_D"]).all()
        assert (ratify > rows.loc[done, "invite_month_D"]).all()
    assert not (joined & ~done).any()


def test_the_timeline_dates_each_stage():
    model = AllianceModel(scenario_from_dict(base()), months=8, timeline=True, rng=1)
    model.run()
    texts = {text: month for month, text in model.timeline()}
    assert texts["D applies to the pact"] == "2000-03"
    assert texts["D is invited to the pact"] == "2000-04"
    assert texts["the last member ratifies D's accession"] == "2000-05"
    assert texts["D joins pact"] == "2000-05"


def test_the_timeline_names_a_holdout_once_and_an_application_its_event_announces_once():
    """C holds out from month 4 (A and B ratify then) until its hold-out is set to 0 in month
    10: one line when the accession starts to wait, none in months 5 to 9. The application of
    month 2 comes from an event with a note, which simulate prints: the model adds none."""
    data = base(holdouts={"C": 5.0})
    data["events"][0]["note"] = "D applies (letter of 2 March)"
    data["events"].append(
        {"type": "set", "path": "blocs.pact.process.holdouts.C", "value": 0.0, "month": 10}
    )
    model = AllianceModel(scenario_from_dict(data), months=14, timeline=True, rng=1)
    model.run()
    lines = model.timeline()
    waits = [(month, text) for month, text in lines if "awaits" in text]
    assert waits == [("2000-05", "D's accession awaits ratification by C, which holds out")]
    assert ("2000-11", "the last member ratifies D's accession") in lines
    assert not any("applies" in text for _, text in lines)


@pytest.mark.parametrize(("note", "invited_line"), [("", True), ("Summit invites D", False)])
def test_a_country_an_event_invites_is_not_said_to_apply(note, invited_line):
    data = base()
    data["events"] = [{"type": "invite", "bloc": "pact", "country": "D", "month": 2, "note": note}]
    model = AllianceModel(scenario_from_dict(data), months=6, timeline=True, rng=1)
    model.run()
    texts = [text for _, text in model.timeline()]
    assert "D joins pact" in texts and not any("applies" in text for text in texts)
    assert ("D is invited to the pact" in texts) == invited_line
