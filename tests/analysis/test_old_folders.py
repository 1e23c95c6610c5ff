"""Results folders written before the subpackage layout still open and summarise the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from sim import cli, open_results

OLD = Path(__file__).resolve().parents[1] / "data" / "results_before_layout"
KEYS = ["variant", "measure", "subject"]


def test_a_folder_written_before_the_layout_summarises_as_it_did(tmp_path, capsys):
    """Written by commit 3088d57 (flat sim/ modules): 2 variants x 12 runs, yearly series."""
    folder = tmp_path / "written_before_layout"
    shutil.copytree(OLD / "written_before_layout", folder)
    assert cli.main(["summarize", str(folder)]) == 0
    assert "Results in" in capsys.readouterr().out
    results = open_results(folder)
    assert results.runs.groupby("variant", sort=False).size().to_dict() == {
        "baseline": 12,
        "nato_endorses": 12,
    }
    assert len(results.series) == 48
    # every measure both versions report has the same estimates (new measures may be added)
    before = pd.read_csv(OLD / "summary_as_written.csv")
    after = pd.read_csv(folder / "summary.csv")
    both = before.merge(after, on=KEYS, suffixes=("_before", "_after"))
    assert len(both) >= 40
    for column in ["estimate", "low", "high", "n"]:
        pd.testing.assert_series_equal(
            both[f"{column}_before"], both[f"{column}_after"], check_names=False
        )
