"""Per-point statistics of a sweep (``design_summary.csv``), computed part by part.

For every variant, design point and named outcome: a probability with its Wilson interval
(yes/no outcomes), or the mean with its t interval, the standard deviation and the 5%, 50% and
95% quantiles (numeric outcomes; runs where the value is missing, such as the join month of a
country that never joined, are left out of n). The runs of a design point are contiguous in the
parts (a variant's runs are numbered point by point), so the parts are read one at a time and
only the points that straddle two parts wait in memory: memory stays bounded by the chunk size,
however many runs the sweep has.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.core.groupby import SeriesGroupBy
from scipy import stats as scipy_stats

from sim.analysis.expressions import evaluate

KEYS = ["variant", "design_id"]
STAT_COLUMNS = ["outcome", "kind", "n", "estimate", "low", "high", "sd", "p05", "p50", "p95"]


def design_summary(
    parts: Iterable[str | Path],
    outcomes: dict[str, str],
    design: pd.DataFrame | None,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The per-point statistics of a sweep's runs (see the module docstring).

    Parameters
    ----------
    parts : iterable of paths
        The runs parts in table order (variant, then run); read one at a time.
    outcomes : dict
        Outcome name -> expression over the runs (:func:`sim.analysis.expressions.evaluate`).
    design : DataFrame or None
        ``design_id`` and the swept parameters, joined to the rows.
    confidence : float, keyword-only
        Level of the intervals.

    Returns
    -------
    DataFrame
        ``variant, design_id``, one column per swept parameter (``parameter:<name>`` if the
        name is also a statistic's, such as ``n``), then ``outcome, kind (probability | mean),
        n, estimate, low, high, sd, p05, p50, p95``.
    """
    rows: list[dict] = []
    pending = pd.DataFrame()
    for path in parts:
        part = pd.read_parquet(path)
        if part.empty:
            continue
        values = pd.concat(
            [part[KEYS].reset_index(drop=True)]
            + [evaluate(part, expr, name=f"outcomes.{name}").rename(name)
               for name, expr in outcomes.items()],
            axis=1,
        )  # fmt: skip
        pending = pd.concat([pending, values], ignore_index=True) if len(pending) else values
        last = tuple(pending[KEYS].iloc[-1])
        done = ~((pending["variant"] == last[0]) & (pending["design_id"] == last[1]))
        rows += point_rows(pending[done], outcomes, confidence)
        pending = pending[~done].reset_index(drop=True)
    rows += point_rows(pending, outcomes, confidence)
    table = pd.DataFrame(rows, columns=[*KEYS, *STAT_COLUMNS])
    order = {name: i for i, name in enumerate(outcomes)}
    variants = {name: i for i, name in enumerate(pd.unique(table["variant"]))}
    table = table.sort_values(
        ["variant", "design_id", "outcome"], ignore_index=True, kind="stable",
        key=lambda c: c.map(variants) if c.name == "variant" else c.map(order)
        if c.name == "outcome" else c,
    )  # fmt: skip
    if design is not None and len(table):
        clash = {name: f"parameter:{name}" for name in design.columns if name in STAT_COLUMNS}
        design = design.rename(columns=clash)  # a model parameter named like a statistic
        table = table.merge(design, on="design_id", how="left")
        table = table[[*KEYS, *design.columns.drop("design_id"), *STAT_COLUMNS]]
    return table


def point_rows(values: pd.DataFrame, outcomes: dict[str, str], confidence: float) -> list[dict]:
    """Statistics of every complete point in ``values`` (one row per point and outcome)."""
    if values.empty:
        return []
    groups = values.groupby(KEYS, sort=False)
    keys = groups.size().index.to_frame(index=False)
    frames = []
    for name in outcomes:
        column = values[name]
        table = (probabilities if pd.api.types.is_bool_dtype(column) else means)(
            groups[name], confidence
        )
        frames.append(pd.concat([keys, table.reset_index(drop=True)], axis=1).assign(outcome=name))
    return pd.concat(frames, ignore_index=True).to_dict("records")


def probabilities(groups: SeriesGroupBy, confidence: float) -> pd.DataFrame:
    """Share of yes per point with its Wilson score interval (Wilson 1927), vectorised: the
    interval :func:`sim.analysis.stats.wilson_interval` computes one point at a time."""
    k = groups.sum().to_numpy(dtype=float)
    n = groups.size().to_numpy(dtype=float)
    z = scipy_stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return pd.DataFrame({"kind": "probability", "n": n.astype(int), "estimate": p,
                         "low": np.clip(centre - half, 0, 1), "high": np.clip(centre + half, 0, 1),
                         "sd": np.nan, "p05": np.nan, "p50": np.nan, "p95": np.nan})  # fmt: skip


def means(groups: SeriesGroupBy, confidence: float) -> pd.DataFrame:
    """Mean per point with its t interval, the standard deviation and quantiles (missing
    values left out of n)."""
    n = groups.count().to_numpy()
    mean = groups.mean().to_numpy(dtype=float)
    sd = groups.std(ddof=1).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = scipy_stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * sd / np.sqrt(n), np.nan)
    quantiles = groups.quantile([0.05, 0.5, 0.95]).unstack()
    return pd.DataFrame({"kind": "mean", "n": n, "estimate": mean, "low": mean - half,
                         "high": mean + half, "sd": sd, "p05": quantiles[0.05].to_numpy(),
                         "p50": quantiles[0.5].to_numpy(),
                         "p95": quantiles[0.95].to_numpy()})  # fmt: skip
