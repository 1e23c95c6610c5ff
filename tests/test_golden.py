"""Golden regression: outcome rows and run seeds must equal the reviewed files in tests/data/.

Any change to a model equation, the draws, the bookkeeping or the seeding changes these numbers.
If the change is intended, regenerate the files (``python -m tests.regenerate_golden``), review
``git diff tests/data`` and commit them with the change; see tests/regenerate_golden.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiment.seeds import run_seed, run_seeds
from sim.model.mesa_engine import AllianceModel
from tests import regenerate_golden as golden

HOW_TO_UPDATE = (
    f"If this change is intended, run `{golden.REGENERATE}`, review `git diff tests/data` and "
    "commit the updated golden files with the change."
)


def differences(expected: pd.DataFrame, found: pd.DataFrame, key: list[str]) -> list[str]:
    """Readable cell-by-cell differences (floats within 1e-9), at most ten."""
    if list(expected.columns) != list(found.columns):
        gone = [c for c in expected.columns if c not in found.columns]
        new = [c for c in found.columns if c not in expected.columns]
        return [f"columns differ: missing {gone}, new {new} (or reordered)"]
    if len(expected) != len(found):
        return [f"{len(expected)} rows expected, {len(found)} found"]
    lines = []
    for column in expected.columns:
        old, now = expected[column], found[column]
        if pd.api.types.is_float_dtype(old) and pd.api.types.is_float_dtype(now):
            same = np.isclose(old, now, rtol=1e-9, atol=1e-9, equal_nan=True)
        else:
            same = (old == now) | (old.isna() & now.isna())
        for row in np.flatnonzero(~np.asarray(same)):
            where = ", ".join(f"{k}={expected.at[row, k]}" for k in key)
            lines.append(f"{column} ({where}): golden {old.iat[row]!r}, now {now.iat[row]!r}")
    return lines[:10]


def assert_matches_golden(expected: pd.DataFrame, found: pd.DataFrame, key, path) -> None:
    problems = differences(expected, found, key)
    if problems:
        pytest.fail(
            f"results differ from the golden file {path.name}:\n  "
            + "\n  ".join(problems)
            + f"\n{HOW_TO_UPDATE}",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def stored_outcomes() -> pd.DataFrame:
    return pd.read_csv(golden.OUTCOMES)


def test_outcome_rows_equal_the_golden_file(stored_outcomes):
    fresh = golden.through_csv(golden.golden_outcomes())
    assert_matches_golden(stored_outcomes, fresh, ["case", "seed"], golden.OUTCOMES)


def test_the_golden_rows_exercise_every_kind_of_event(stored_outcomes):
    """Not vacuous: the busy case has joins, exits, crises and counter-blocs within 24 months."""
    busy = stored_outcomes[stored_outcomes["case"] == "busy"]
    assert busy["new_members"].sum() >= 3
    assert busy.filter(like="exit_month_").notna().to_numpy().sum() >= 3
    assert busy["crisis_count"].sum() >= 10
    assert busy["counter_bloc_formed"].sum() >= 3
    assert stored_outcomes["final_alignment_SRB"].nunique() == len(stored_outcomes)


@pytest.mark.parametrize("case", list(golden.CASES))
def test_the_mesa_engine_reproduces_the_golden_rows(stored_outcomes, case):
    expected = stored_outcomes[stored_outcomes["case"] == case].reset_index(drop=True)
    scenario = golden.case_scenario(case)
    rows = []
    for seed in golden.CASE_SEEDS:
        model = AllianceModel(scenario, months=golden.MONTHS, rng=seed)
        model.run()
        rows.append(model.outcomes())
    found = pd.concat(rows, ignore_index=True)
    found.insert(0, "seed", np.array(golden.CASE_SEEDS, dtype=np.int64))
    found.insert(0, "case", case)
    # The file holds every case's columns: a bloc only another case has (the busy case's
    # counter-bloc) is empty in this case's rows and not produced by its runs.
    other_cases = [c for c in expected.columns if c not in found.columns]
    assert expected[other_cases].isna().all().all()
    expected = expected.drop(columns=other_cases)
    assert_matches_golden(expected, golden.through_csv(found), ["case", "seed"], golden.OUTCOMES)


def test_run_seeds_equal_the_golden_literal_values():
    stored = pd.read_csv(golden.SEEDS)
    fresh = golden.through_csv(golden.golden_seeds())
    assert_matches_golden(stored, fresh, ["design_point", "replication"], golden.SEEDS)


def test_seeds_of_a_design_never_collide_and_keep_common_random_numbers():
    """Literal checks that do not use run_seed to compute what they expect.

    With common random numbers every variant's replication k has one seed; without them, design
    points d and replications k have 5 x 5 distinct seeds, and (d, k) differs from (k, d) and
    from (d + k, 0).
    """
    stored = pd.read_csv(golden.SEEDS)
    crn = stored[stored["design_point"] == -1]["seed"].tolist()
    assert crn[:2] == [5040579767247854648, 2708766038507440047]
    assert run_seeds(golden.MASTER, range(2)).tolist() == crn[:2]
    grid = {(d, k): run_seed(7, k, d) for d in range(5) for k in range(5)}
    assert len(set(grid.values())) == 25
    assert grid[(0, 1)] != grid[(1, 0)]
    assert all(0 <= seed < 2**63 for seed in grid.values())
    assert run_seed(7, 3) not in grid.values()  # common random numbers differ from any design point


def test_a_difference_names_the_cell_and_how_to_regenerate(stored_outcomes):
    changed = stored_outcomes.copy()
    changed.loc[6, "crisis_count"] += 1
    changed.loc[0, "final_depth"] += 1e-6
    with pytest.raises(pytest.fail.Exception, match=r"python -m tests\.regenerate_golden") as info:
        assert_matches_golden(stored_outcomes, changed, ["case", "seed"], golden.OUTCOMES)
    message = str(info.value)
    assert "crisis_count (case=busy, seed=2)" in message
    assert "final_depth (case=default, seed=1)" in message
    assert differences(stored_outcomes, changed.iloc[:, :-1], ["case"])[0].startswith("columns")
