"""The summary rows and terminal section of blocs other than the tracked one, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Console

from sim.analysis.bloc_summary import is_other_bloc, other_bloc_summary, other_blocs
from sim.analysis.stats import wilson_interval
from sim.analysis.tables import bloc_table

NAN = np.nan


def runs_table() -> pd.DataFrame:
    """Four runs of 24 months. The tracked bloc gains nobody; bloc ``east`` is founded in three
    runs (months 2, 5 and 1) and A joins it in months 3 (within year 1), 20 and 12 (within year
    2 only: year 1 is months 0 to 11)."""
    return pd.DataFrame({
        "variant": "base", "horizon": 24, "crisis_count": [0, 1, 0, 2],
        "peak_tension": [0.1, 0.2, 0.3, 0.4], "new_members": 0, "expansion_path": "",
        "join_month_A": NAN, "join_month_B": NAN,
        "east.join_month_A": [3.0, NAN, 20.0, 12.0], "east.join_month_B": NAN,
        "east.new_members": [1, 0, 1, 1], "east.expansion_path": ["A", "", "A", "A"],
        "east.founded_month": [2.0, NAN, 5.0, 1.0],
    })  # fmt: skip


def test_other_blocs_are_found_by_their_columns():
    assert other_blocs(runs_table().columns) == ["east"]
    assert is_other_bloc("east: P(any new member)") and not is_other_bloc("P(any new member)")


def test_the_other_blocs_rows_are_its_accession_measures_by_hand():
    table = other_bloc_summary(runs_table(), years=(1, 2))
    rows = table.set_index(["measure", "subject"])
    assert all(m.startswith("east: ") for m in table["measure"])
    founded = rows.loc[("east: P(founded)", "all")]
    assert founded["estimate"] == 0.75 and founded["n"] == 4
    assert np.allclose([founded["low"], founded["high"]], wilson_interval(3, 4)[1:])
    assert rows.loc[("east: P(joined by year 1)", "A"), "estimate"] == 0.25
    assert rows.loc[("east: P(joined by year 2)", "A"), "estimate"] == 0.75
    assert rows.loc[("east: P(joined by year 2)", "B"), "estimate"] == 0.0
    assert rows.loc[("east: median join month", "A"), "estimate"] == 12.0
    assert rows.loc[("east: P(any new member)", "all"), "estimate"] == 0.75
    assert rows.loc[("east: top expansion path", "A"), "estimate"] == 0.75
    assert not table["measure"].str.contains("crisis|tension").any()  # those are the region's


def test_without_other_blocs_there_are_no_rows():
    runs = runs_table().drop(columns=[c for c in runs_table() if c.startswith("east.")])
    assert other_bloc_summary(runs).empty


def test_the_terminal_section_lists_who_joined_the_bloc():
    table = other_bloc_summary(runs_table(), years=(1, 2))
    console = Console(width=120, record=True)
    console.print(bloc_table(table, "base", "east", None, "2025-03"))
    text = console.export_text()
    assert "base: bloc east" in text
    assert "P(founded)" in text and "75.0%" in text
    assert "A P(joined by year 2)" in text and "B P(joined" not in text  # B is under 1%
    assert "top expansion path" in text
