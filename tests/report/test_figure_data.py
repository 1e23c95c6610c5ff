"""The tables behind the figures: known values on tiny hand-made runs, and the assumptions read
from the shipped scenario's comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.stats import trajectory_bands, wilson_interval
from sim.report import figure_data
from sim.report.assumptions import scenario_assumptions
from sim.scenario.shipped import default_scenario_path

NAN = np.nan


def test_membership_counts_members_from_join_until_exit():
    runs = pd.DataFrame({
        "variant": "base",
        "join_month_BGR": [0.0, 1.0, 1.0, NAN],
        "exit_month_BGR": [2.0, NAN, NAN, NAN],
    })  # fmt: skip
    table = figure_data.membership_over_time(runs, ["BGR"], months=4)
    assert table["probability"].tolist() == [0.25, 0.75, 0.5, 0.5]
    assert table["n"].tolist() == [4, 4, 4, 4]


@given(st.integers(0, 60), st.integers(1, 60))
def test_vectorised_wilson_equals_scipys(k, n):
    k = min(k, n)
    expected = wilson_interval(k, n)
    found = [float(v[0]) for v in figure_data.wilson_bounds(np.array([k]), n)]
    assert found == pytest.approx(expected, abs=1e-9)


def test_tension_fans_equal_the_trajectory_bands_of_the_analysis():
    rng = np.random.default_rng(3)
    series = pd.DataFrame({"variant": np.repeat(["a", "b"], 60), "month": np.tile(range(3), 40),
                           "tension_SRB-XKX": rng.random(120)})  # fmt: skip
    fans = figure_data.tension_fans(series, ["SRB-XKX"])
    bands = trajectory_bands(series, ["tension_SRB-XKX"], quantiles=figure_data.FAN_QUANTILES)
    columns = ["p5", "p25", "p50", "p75", "p95", "n"]
    assert fans[columns].to_numpy() == pytest.approx(bands[columns].to_numpy())
    assert fans["dyad"].unique().tolist() == ["SRB-XKX"]


def test_stage_shares_sum_to_one_and_follow_the_first_months():
    runs = pd.DataFrame({
        "variant": "base",
        "stage_month_security_mechanism": [0.0, 2.0, NAN, NAN],
        "stage_month_formal_alliance": [1.0, NAN, NAN, NAN],
    })  # fmt: skip
    table = figure_data.stage_shares(runs, months=3)
    wide = table.pivot(index="month", columns="stage", values="share")
    assert wide.sum(axis=1).tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert wide["formal alliance"].tolist() == [0.0, 0.25, 0.25]
    assert wide["security mechanism"].tolist() == [0.25, 0.0, 0.25]


def test_join_curves_are_one_minus_kaplan_meier():
    runs = pd.DataFrame({"variant": "base", "horizon": 4, "join_month_BGR": [0.0, 2.0, NAN, NAN]})
    table = figure_data.join_curves(runs, ["BGR"])
    assert table["joined"].tolist() == pytest.approx([0.0, 0.25, 0.25, 0.5, 0.5])
    assert (table["low"] <= table["joined"] + 1e-12).all()


def test_differences_keep_relevant_countries_and_split_units():
    summary = pd.DataFrame({
        "variant": ["b", "b", "b", "b"],
        "measure": ["P(joined by year 5)", "P(joined by year 5)", "P(crisis)",
                    "mean peak tension"],
        "subject": ["BGR", "SRB", "all", "SRB-XKX"],
        "estimate": [0.3, 0.0, 0.2, 1.0], "low": 0.0, "high": 1.0, "n": 10,
        "difference": [0.2, 0.0, -0.01, 0.05], "difference_low": -0.1,
        "difference_high": 0.3, "p_value": 0.5,
    })  # fmt: skip
    table = figure_data.differences(summary, years=[1, 5])
    assert table["label"].tolist() == ["BGR joins by year 5", "P(crisis)", "SRB-XKX"]
    assert table["kind"].tolist() == ["probability", "probability", "tension"]


def test_assumptions_pair_comments_with_fields():
    found = {a.field: a for a in scenario_assumptions(default_scenario_path())}
    stubborn = found["countries.SRB.stubbornness"]
    assert stubborn.value == "0.15" and stubborn.kind == "judgement"
    assert "neutrality" in stubborn.basis
    kosovo = found["relations.SRB-XKX"]
    assert kosovo.kind == "source" and "2008 independence" in kosovo.basis
    assert kosovo.value == "{affinity: -0.9, tension: 0.8}"
    assert found["(file)"].kind == "note" and found["countries"].kind == "note"


def test_a_hash_in_quotes_or_inside_a_word_is_not_a_comment(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "# header\n\n"
        "name: 'a # b'   # the name\n"
        "description: Serbia's worry#1   # an apostrophe opens no quote\n"
        "start: 2025-03  # judgement: a guess\n"
    )
    found = scenario_assumptions(path)
    assert [(a.field, a.value, a.basis, a.kind) for a in found] == [
        ("(file)", "", "header", "note"),
        ("name", "'a # b'", "the name", "source"),
        ("description", "Serbia's worry#1", "an apostrophe opens no quote", "source"),
        ("start", "2025-03", "judgement: a guess", "judgement"),
    ]
