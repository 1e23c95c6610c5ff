"""Global sensitivity of a sweep's outcomes with SALib: which parameters matter, and how.

The estimators are SALib's (Herman & Usher 2017); this module picks the one that suits the
design, feeds it the per-point value of a named outcome (a probability over the point's
replications, or a mean or quantile) and returns one ranked row per parameter:

- ``sobol`` designs: Sobol' first-order (S1) and total (ST) indices with bootstrap confidence
  intervals (Saltelli 2002; Saltelli et al. 2010), second-order S2 on request, and the
  moment-independent PAWN index (Pianosi & Wagener 2015, 2018), which does not assume that the
  output is near normal (probabilities near 0 or 1, skewed tensions);
- ``morris`` designs: elementary effects μ, μ* (with its interval) and σ (Morris 1991; Campolongo,
  Cariboni & Saltelli 2007); σ large against μ* marks interactions or non-linearity;
- ``lhs``, ``grid`` and ``table`` designs: PAWN (any sample will do);
- ``oat`` designs: the range of the outcome over each parameter's values (a local measure).

SALib 1.6 pitfalls handled here: ``sample``/``analyze`` add keys to the problem dict they are
given (each call gets a copy), and ``analyze(seed=0)`` is silently unseeded (it tests ``if
seed:``), so the bootstrap seed is derived from the master seed and is never 0; PAWN seeds
NumPy's global generator, which is restored afterwards. (SALib's delta estimator would be the
other moment-independent choice; in SALib 1.6 it takes minutes for a few thousand points.)
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.stats import StatsInputError
from sim.experiment.design import Bounds, Sweep, salib
from sim.experiment.store import write_csv

SENSITIVITY = "sensitivity.csv"
METHODS = {"sobol": "sobol", "morris": "morris", "lhs": "pawn", "grid": "pawn",
           "table": "pawn", "oat": "oat"}  # fmt: skip
RANK_BY = {"sobol": "ST", "morris": "mu_star", "pawn": "pawn_median", "oat": "range"}


def sensitivity_indices(
    sweep: Sweep,
    points: pd.DataFrame,
    y: np.ndarray,
    *,
    seed: int,
    method: str | None = None,
    second_order: bool = False,
    confidence: float = 0.95,
    resamples: int = 200,
) -> pd.DataFrame:
    """Sensitivity indices of one outcome over a design, one row per parameter, ranked.

    Parameters
    ----------
    sweep : Sweep
        The design's specification (type, parameters and bounds).
    points : DataFrame
        The design, one row per point in ``design_id`` order, one column per parameter.
    y : array of float, one per point
        The outcome at each point.
    seed : int, keyword-only
        Seed of the bootstrap intervals (must be positive: SALib ignores 0).
    method : {"sobol", "morris", "pawn", "oat"} or None, keyword-only
        None: the design's own (the module docstring).
    second_order : bool, keyword-only
        Also S2 (sobol designs sampled with ``second_order: true``), as ``S2_<parameter>``
        columns.
    confidence : float, keyword-only
        Level of the intervals (``*_conf`` columns hold their half-widths, as SALib reports).
    resamples : int, keyword-only
        Bootstrap resamples.

    Returns
    -------
    DataFrame
        ``parameter, rank`` and the method's columns (``S1, S1_conf, ST, ST_conf`` and PAWN's
        ``pawn_median, pawn_maximum, pawn_CV`` for sobol; ``mu, mu_star, mu_star_conf, sigma``
        for morris; PAWN's alone for pawn; ``range`` for oat), ranked by ST, μ*, the PAWN
        median or the range.

    Raises
    ------
    StatsInputError
        If ``y`` does not match the design, has missing values (points whose runs all
        failed), is constant, the seed is not positive, or the method does not suit the design.
    """
    y = np.asarray(y, dtype=float)
    method = method or METHODS[sweep.type]
    check_inputs(sweep, points, y, method=method, seed=seed, second_order=second_order)
    x = points[sweep.names].to_numpy(dtype=float)
    options = {"conf_level": confidence, "num_resamples": resamples, "seed": seed}
    problem = sweep.problem()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SALib's 0/0 on degenerate resamples
        if method == "sobol":
            found = salib("analyze.sobol").analyze(
                copy.deepcopy(problem), y, calc_second_order=sweep.second_order, **options
            )
            table = pd.DataFrame({k: found[k] for k in ("S1", "S1_conf", "ST", "ST_conf")})
            table = pd.concat([table, pawn_indices(problem, x, y, seed)], axis=1)
            if second_order:
                for j, other in enumerate(sweep.names):
                    table[f"S2_{other}"] = found["S2"][:, j]
                    table[f"S2_{other}_conf"] = found["S2_conf"][:, j]
        elif method == "morris":
            found = salib("analyze.morris").analyze(
                copy.deepcopy(problem), x, y, num_levels=sweep.levels, **options
            )
            table = pd.DataFrame(
                {k: np.asarray(found[k], dtype=float)
                 for k in ("mu", "mu_star", "mu_star_conf", "sigma")}
            )  # fmt: skip
        elif method == "pawn":
            table = pawn_indices(problem, x, y, seed)
        else:
            table = pd.DataFrame({"range": [y_range(points, y, name) for name in sweep.names]})
    table.insert(0, "parameter", sweep.names)
    by = RANK_BY[method]
    table.insert(1, "rank", table[by].rank(ascending=False, method="min").astype(int))
    return table.sort_values(["rank", "parameter"], ignore_index=True)


def pawn_indices(problem: dict[str, Any], x: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """PAWN: the Kolmogorov–Smirnov distance between the outcome's distribution and its
    distribution with the parameter held within a slice, summarised over 10 slices (SALib
    ``analyze.pawn``); 0 means no influence, whatever the shape of the outcome."""
    with global_random_state_kept():
        found = salib("analyze.pawn").analyze(copy.deepcopy(problem), x, y, seed=seed)
    return pd.DataFrame({f"pawn_{k}": np.asarray(found[k], dtype=float)
                         for k in ("median", "maximum", "CV")})  # fmt: skip


@contextmanager
def global_random_state_kept() -> Iterator[None]:
    """Undo what SALib's PAWN does to global state: it seeds NumPy's global generator."""
    state = np.random.get_state()  # noqa: NPY002 -- saving what SALib changes
    try:
        with warnings.catch_warnings():
            yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def y_range(points: pd.DataFrame, y: np.ndarray, name: str) -> float:
    """Max minus min of the outcome over the points where only ``name`` moved (oat)."""
    others = [n for n in points.columns if n != name]
    centre = points.iloc[0]
    moved = (points[others] == centre[others]).all(axis=1) if others else np.ones(len(y), bool)
    values = y[np.asarray(moved)]
    return float(values.max() - values.min())


def check_inputs(
    sweep: Sweep, points: pd.DataFrame, y: np.ndarray, *, method: str, seed: int,
    second_order: bool,
) -> None:  # fmt: skip
    """Refuse inputs that SALib would misread or silently mishandle."""
    if method not in RANK_BY:
        raise StatsInputError(f"method: expected one of {sorted(RANK_BY)}, found {method!r}")
    suits = {"sobol": {"sobol"}, "morris": {"morris"}, "oat": {"oat"}}
    if method in suits and sweep.type not in suits[method]:
        raise StatsInputError(
            f"method: {method} needs a {method} design; this sweep is a {sweep.type} design"
        )
    if method == "pawn" and sweep.type in ("morris", "oat"):
        raise StatsInputError(f"method: {method} needs a random sample (sobol, lhs, grid or "
                              f"table design); this sweep is a {sweep.type} design")  # fmt: skip
    if second_order and not sweep.second_order:
        raise StatsInputError("second_order: the design was sampled without second_order: true")
    if seed <= 0:
        raise StatsInputError(f"seed: expected a positive seed (SALib ignores 0), found {seed}")
    if len(y) != len(points):
        raise StatsInputError(f"y: expected one value per design point ({len(points)}), "
                              f"found {len(y)}")  # fmt: skip
    missing = np.flatnonzero(~np.isfinite(y))
    if len(missing):
        raise StatsInputError(
            f"the outcome is missing at {len(missing)} design points (first design_id "
            f"{missing[0]}): their runs failed; rerun them with --resume"
        )
    if np.ptp(y) == 0:
        raise StatsInputError(f"the outcome is {y[0]:g} at every design point: nothing to "
                              "attribute to the parameters")  # fmt: skip


STATISTICS = {"mean": "estimate", "probability": "estimate", "median": "p50", "p05": "p05",
              "p95": "p95", "sd": "sd"}  # fmt: skip


def sensitivity_table(
    summary: pd.DataFrame,
    design: pd.DataFrame,
    sweep: Sweep,
    outcome: str,
    *,
    seed: int,
    statistic: str = "mean",
    method: str | None = None,
    second_order: bool = False,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Sensitivity indices of a named outcome of a sweep, per variant, ranked
    (``Results.sensitivity`` gathers the inputs from a results folder).

    Parameters
    ----------
    summary : DataFrame
        The sweep's design summary (:func:`sim.analysis.design_summary.design_summary`): the
        per-point values.
    design : DataFrame
        ``design_id`` and the swept parameters.
    sweep : Sweep
        The sweep's specification.
    outcome : str
        A named outcome of the summary.
    seed : int, keyword-only
        Seed of the bootstrap (the master seed's ``analysis`` stream).
    statistic : {"mean", "median", "p05", "p95", "sd"}, keyword-only
        Which per-point statistic of a numeric outcome (a yes/no outcome is its probability).
    method, second_order, confidence : keyword-only
        As :func:`sensitivity_indices`.

    Returns
    -------
    DataFrame
        ``variant, outcome, statistic`` then the columns of :func:`sensitivity_indices`.

    Raises
    ------
    StatsInputError
        If the outcome or statistic is unknown, or as :func:`sensitivity_indices`.
    """
    if statistic not in STATISTICS:
        raise StatsInputError(f"statistic: expected one of {sorted(STATISTICS)}, found "
                              f"{statistic!r}")  # fmt: skip
    names = list(dict.fromkeys(summary["outcome"]))
    if outcome not in names:
        raise StatsInputError(f"outcome: expected one of the experiment's outcomes {names}, "
                              f"found {outcome!r}")  # fmt: skip
    parameters = list(design.columns.drop("design_id"))
    if not all(isinstance(spec, Bounds) for spec in sweep.parameters.values()) or not sweep.names:
        sweep = sweep.model_copy(update={"parameters": {  # grid values, table columns
            name: Bounds(low=design[name].min(), high=design[name].max())
            for name in parameters}})  # fmt: skip
    points = design[parameters]
    parts = []
    for variant, group in summary[summary["outcome"] == outcome].groupby("variant", sort=False):
        group = group.set_index("design_id").reindex(design["design_id"])
        kind = group["kind"].dropna().iloc[0] if group["kind"].notna().any() else "mean"
        column = "estimate" if kind == "probability" else STATISTICS[statistic]
        found = sensitivity_indices(sweep, points, group[column].to_numpy(dtype=float),
                                    seed=seed, method=method, second_order=second_order,
                                    confidence=confidence)  # fmt: skip
        label = "probability" if kind == "probability" else statistic
        found.insert(0, "statistic", label)
        found.insert(0, "outcome", outcome)
        found.insert(0, "variant", variant)
        parts.append(found)
    return pd.concat(parts, ignore_index=True)


def write_sensitivity(folder: str | Path, table: pd.DataFrame) -> Path:
    """Write a :func:`sensitivity_table` to ``sensitivity.csv`` in the results folder; the
    rows of other outcomes written earlier stay."""
    path = Path(folder) / SENSITIVITY
    outcomes = set(table["outcome"])
    if path.is_file():
        earlier = pd.read_csv(path)
        table = pd.concat([earlier[~earlier["outcome"].isin(outcomes)], table], ignore_index=True)
    write_csv(table, path)
    return path
