"""The summary rows of the blocs other than the tracked one: a section per bloc.

Every bloc's outcomes are recorded (``<bloc>.join_month_<C>``, ``<bloc>.new_members``,
``<bloc>.expansion_path``, ``<bloc>.founded_month`` for a bloc founded during the run, ...;
MODEL.md section 6). Their rows in ``summary.csv`` are the tracked bloc's accession rows, with
the bloc's name before the measure (``warsaw: P(joined by year 5)``, ``counter_bloc: P(any new
member)``), so the tracked bloc's rows and every reader of them stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from sim.analysis.compare import compare_binary
from sim.analysis.summary import (
    JOINED_BY,
    PACT,
    SUMMARY_COLUMNS,
    _part,
    _proportions,
    paired_differences,
    summary_table,
)

BLOC_MEASURES = ("median join month", "P(any new member)", "top expansion path")
KEYS = ("variant", "horizon", "design_id", "replication", "crisis_count", "peak_tension")
FOUNDED = "P(founded)"


def is_other_bloc(measure: str) -> bool:
    """Whether a summary row's measure is another bloc's (``warsaw: P(any new member)``)."""
    return ": " in measure


def other_blocs(columns: Iterable[str]) -> list[str]:
    """The blocs other than the tracked one whose outcomes a runs table holds, in its order."""
    return [c.removesuffix(".new_members") for c in columns if c.endswith(".new_members")]


def bloc_view(runs: pd.DataFrame, bloc: str) -> tuple[pd.DataFrame, list[str]]:
    """The runs with bloc ``bloc``'s columns under the tracked bloc's names, and its countries."""
    prefix = f"{bloc}."
    own = {c: c.removeprefix(prefix) for c in runs.columns if c.startswith(prefix)}
    view = runs[[c for c in KEYS if c in runs]].join(runs[list(own)].rename(columns=own))
    codes = [c.removeprefix("join_month_") for c in own.values() if c.startswith("join_month_")]
    return view, codes


def other_bloc_summary(
    runs: pd.DataFrame,
    *,
    baseline: str | None = None,
    years: Sequence[int] = (1, 5, 10),
    by: Sequence[str] = (),
    start: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Summary rows (:data:`~sim.analysis.summary.SUMMARY_COLUMNS`) of every other bloc.

    For each bloc: each country's ``P(joined by ...)`` and median join month, ``P(any new
    member)``, the top expansion path and, for a bloc founded during the run, ``P(founded)``
    (its ``founded_month`` within the horizon); all as :func:`summary_table` computes them, with
    paired differences against ``baseline``, and the measure prefixed by ``<bloc>: ``. Empty
    when the runs have no other bloc.
    """
    parts = []
    for bloc in other_blocs(runs.columns):
        view, codes = bloc_view(runs, bloc)
        table = summary_table(view, codes, baseline=baseline, years=years, by=by, start=start,
                              confidence=confidence)  # fmt: skip
        keep = table["measure"].str.startswith(JOINED_BY) | table["measure"].isin(BLOC_MEASURES)
        table = table[keep]
        if "founded_month" in view:
            founded = lambda r: r["founded_month"].notna()  # noqa: E731
            paired = paired_differences(compare_binary, view, founded,
                                        ("difference", "low", "high"), baseline=baseline,
                                        confidence=confidence)  # fmt: skip
            table = pd.concat([
                _part(_proportions(view, founded, confidence=confidence), FOUNDED, PACT,
                      ("probability", "low", "high"), paired),
                table,
            ])  # fmt: skip
        table = table.assign(measure=f"{bloc}: " + table["measure"])
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    table = pd.concat(parts, ignore_index=True)[SUMMARY_COLUMNS]
    order = {variant: i for i, variant in enumerate(pd.unique(runs["variant"]))}
    return table.sort_values(
        "variant", key=lambda v: v.map(order), kind="stable", ignore_index=True
    )
