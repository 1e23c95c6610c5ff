"""The summary's rows for the accession process (a pact with ``accession: process``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.summary import summary_table


def process_runs(invite, ratified, holdout):
    n = len(invite)
    return pd.DataFrame({
        "variant": "baseline", "horizon": 24, "new_members": 0, "crisis_count": 0,
        "peak_tension": 1.0, "expansion_path": "", "join_month_MKD": ratified,
        "apply_month_MKD": np.zeros(n), "invite_month_MKD": invite,
        "ratified_month_MKD": ratified, "effective_month_MKD": ratified,
        "holdout_months_MKD": holdout, "veto_months_MKD": np.ones(n), "design_id": 0,
        "replication": np.arange(n),
    })  # fmt: skip


def test_stage_medians_and_mean_holdout_months_by_hand():
    """Invited at 1, 2, 3, 4, 5 (median 3); ratified at 4, 6, 8 and twice never (median 8, the
    third of five); hold-outs 0, 2, 4, 6, 8 months (mean 4)."""
    runs = process_runs([1, 2, 3, 4, 5], [4, 6, 8, np.nan, np.nan], [0, 2, 4, 6, 8])
    table = summary_table(runs, ["MKD"], years=[1]).set_index("measure")
    assert table.loc["median invitation month", "estimate"] == 3
    assert table.loc["median last ratification month", "estimate"] == 8
    assert table.loc["median application month", "estimate"] == 0
    assert table.loc["mean hold-out months", "estimate"] == pytest.approx(4.0)
    assert (
        table.loc["mean hold-out months", "low"] < 4.0 < table.loc["mean hold-out months", "high"]
    )
    assert table.loc["mean veto months", "estimate"] == 1.0
    assert table.loc["P(invited by year 1)", "estimate"] == 1.0
    assert table.loc["P(ratified by year 1)", "estimate"] == 3 / 5


def test_runs_without_the_process_have_no_process_rows():
    runs = process_runs([1, 2], [4, 6], [0, 0]).filter(regex="^(?!(apply|invite|ratified|"
                                                          "effective|holdout)_)")  # fmt: skip
    table = summary_table(runs, ["MKD"], years=[1])
    assert not table["measure"].str.contains("invitation|hold-out").any()


def test_the_terminal_shows_the_process_stages_of_each_invited_candidate():
    """The process table reads the summary rows: MKD invited by year 1 in all five runs,
    ratified in three (60%), median invitation step 3 (2025-06 from 2025-03), median last
    ratification step 8 (2025-11), mean hold-out 4 months with the t interval
    4 +- t(0.975, 4) sd / sqrt(5) = 4 +- 2.776 * 3.162 / 2.236 = 4 +- 3.93."""
    from rich.console import Console

    from sim.analysis.tables import process_table

    runs = process_runs([1, 2, 3, 4, 5], [4, 6, 8, np.nan, np.nan], [0, 2, 4, 6, 8])
    table = summary_table(runs, ["MKD"], years=[1])
    console = Console(width=160, record=True)
    console.print(process_table(table, "baseline", "baseline", "2025-03"))
    text = console.export_text()
    assert "baseline: accession process" in text
    assert "invited by year 1" in text and "ratified by year 1" in text
    row = next(line for line in text.splitlines() if "MKD" in line)
    assert "100.0%" in row and "60.0%" in row
    assert "2025-06" in row and "2025-11" in row
    assert "4.00 (0.07–7.93)" in row


def test_a_variant_process_table_compares_with_the_baseline_once():
    """The header names the baseline once ("deal: accession process vs baseline", not
    "(baseline baseline)"), and the last column is the paired difference in the chance of the
    last ratification: baseline ratified in 3 of 5 paired runs, the variant in all 5, so +40 pp."""
    from rich.console import Console

    from sim.analysis.tables import process_table

    base = process_runs([1, 2, 3, 4, 5], [4, 6, 8, np.nan, np.nan], [0, 2, 4, 6, 8])
    deal = process_runs([1, 2, 3, 4, 5], [4, 6, 8, 9, 10], [0, 0, 0, 0, 0]).assign(variant="deal")
    table = summary_table(pd.concat([base, deal]), ["MKD"], baseline="baseline", years=[1])
    console = Console(width=200, record=True)
    console.print(process_table(table[table["variant"] == "deal"], "deal", "baseline", "2025-03"))
    console.print(process_table(table[table["variant"] == "baseline"], "baseline", "baseline",
                                "2025-03"))  # fmt: skip
    text = console.export_text()
    assert "deal: accession process vs baseline" in text
    assert "baseline baseline" not in text and "(baseline" not in text
    assert "Δ ratified by year 1" in text
    deal_row, base_row = [line for line in text.splitlines() if "MKD" in line]
    assert "+40.0 pp" in deal_row and "pp" not in base_row
