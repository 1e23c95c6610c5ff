"""Scenario discovery: where in parameter space do the runs of interest concentrate?

Given the runs of a sweep and a yes/no case of interest per run (``joined_BGR and crisis_count
== 0``), three complementary views, as in EMA Workbench (Kwakkel 2017):

- **PRIM** (Friedman & Fisher 1999), as scenario discovery uses it (Bryant & Lempert 2010):
  peel a small share of the runs off one side of the box at a time, keeping the peel that
  raises the share of cases inside (density) the most, then paste back what helps. Every box on
  the peeling trajectory trades coverage (share of all cases that fall inside) for density;
  the box reported is the densest one that still covers ``min_coverage`` of the cases. Each
  restriction gets a quasi-p-value: the one-sided binomial test of the box's density against
  the density of the box without that restriction (Bryant & Lempert 2010). PRIM itself is EMA
  Workbench's implementation (``ema_workbench.analysis.prim``), the maintained one.
- **CART**: a shallow classification tree (scikit-learn), its leaves as rules.
- **Feature scores**: extra-trees impurity importances (Geurts, Ernst & Wehenkel 2006), with
  EMA Workbench's settings (Jaxa-Rozen & Kwakkel 2018).
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.expressions import evaluate
from sim.analysis.stats import StatsInputError
from sim.experiment.design import MissingExtraError
from sim.experiment.store import write_csv, write_json

TRAJECTORY_COLUMNS = ["box", "coverage", "density", "mass", "n", "k", "restricted"]
BOX_COLUMNS = ["parameter", "low", "high", "sampled_low", "sampled_high", "qp_low", "qp_high"]


@dataclass(frozen=True)
class Discovery:
    """The answer of :func:`discover_cases`: DataFrames, and the box in one sentence.

    Attributes
    ----------
    where : str
        The case of interest, as given.
    cases, total : int
        Runs that are cases, and all runs considered.
    trajectory : DataFrame
        The PRIM peeling (and pasting) trajectory: ``box, coverage, density, mass, n, k,
        restricted`` (the number of restricted parameters).
    chosen : int
        The box reported (a row of ``trajectory``).
    box : DataFrame
        Its restricted parameters: ``parameter, low, high`` with the sampled range and the
        quasi-p-values of the lower and upper limit (NaN where that side is not restricted).
    tree : DataFrame
        The CART leaves: ``rule, n, cases, density``, densest first.
    features : DataFrame
        ``parameter, score, rank``: extra-trees importances (they sum to 1).
    """

    where: str
    cases: int
    total: int
    trajectory: pd.DataFrame
    chosen: int
    box: pd.DataFrame
    tree: pd.DataFrame
    features: pd.DataFrame
    tree_text: str = field(default="", repr=False)

    @property
    def chosen_row(self) -> pd.Series:
        return self.trajectory.loc[self.chosen]

    def sentence(self) -> str:
        """The chosen box in one sentence."""
        row = self.chosen_row
        base = self.cases / self.total if self.total else float("nan")
        head = (f"{self.where} holds in {row['density']:.0%} of the runs (against {base:.0%} "
                f"overall, {row['coverage']:.0%} of all such runs fall inside) when ")  # fmt: skip
        parts = [restriction_words(r) for r in self.box.itertuples()]
        return head + (" and ".join(parts) if parts else "anything holds") + "."

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data (for JSON)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                     for k, v in row.items()} for row in frame.to_dict("records")]  # fmt: skip

        return {
            "where": self.where, "cases": self.cases, "total": self.total,
            "sentence": self.sentence(), "chosen_box": self.chosen,
            "box": records(self.box), "trajectory": records(self.trajectory),
            "tree": records(self.tree), "features": records(self.features),
        }  # fmt: skip


def restriction_words(row: Any) -> str:
    """``p is between a and b``, ``p is at most b`` or ``p is at least a``."""
    low_cut, high_cut = row.low > row.sampled_low, row.high < row.sampled_high
    if low_cut and high_cut:
        return f"{row.parameter} is between {row.low:.3g} and {row.high:.3g}"
    if high_cut:
        return f"{row.parameter} is at most {row.high:.3g}"
    return f"{row.parameter} is at least {row.low:.3g}"


def discover_cases(
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    where: str,
    seed: int,
    min_coverage: float = 0.5,
    peel_alpha: float = 0.05,
    box: int | None = None,
    tree_depth: int = 3,
    significance: float = 0.05,
) -> Discovery:
    """PRIM, CART and feature scores of the cases ``y`` over the parameters ``x``.

    Parameters
    ----------
    x : DataFrame
        One row per run, one numeric column per swept parameter.
    y : array of bool
        Whether each run is a case of interest.
    where : str, keyword-only
        The case's description (for the sentence).
    seed : int, keyword-only
        Seed of the trees.
    min_coverage : float, keyword-only
        The box reported is the densest one covering at least this share of the cases.
    peel_alpha : float, keyword-only
        Share of the runs peeled off per step.
    box : int or None, keyword-only
        Report this box of the trajectory instead.
    tree_depth : int, keyword-only
        Depth of the CART tree.
    significance : float, keyword-only
        A box is reported only if each of its limits has a quasi-p-value at most this.

    Raises
    ------
    StatsInputError
        If there are no cases, or only cases, or ``box`` is not on the trajectory.
    MissingExtraError
        If EMA Workbench or scikit-learn is not installed.
    """
    y = np.asarray(y, dtype=bool)
    x = x.reset_index(drop=True).astype(float)
    cases = int(y.sum())
    if cases == 0 or cases == len(y):
        share = "none" if cases == 0 else "all"
        raise StatsInputError(f"--where {where!r} selects {share} of the {len(y)} runs: "
                              "nothing to tell apart")  # fmt: skip
    found = run_prim(x, y, peel_alpha=peel_alpha)
    trajectory = found.peeling_trajectory.rename(columns={"id": "box", "res_dim": "restricted"})
    trajectory = trajectory[TRAJECTORY_COLUMNS].reset_index(drop=True)
    if box is None:
        box = choose_box(found, trajectory, min_coverage=min_coverage, alpha=significance)
    elif not 0 <= box < len(trajectory):
        raise StatsInputError(f"box: expected 0 to {len(trajectory) - 1}, found {box}")
    return Discovery(
        where=where, cases=cases, total=len(y), trajectory=trajectory, chosen=box,
        box=box_table(found, box, x), tree=(tree := cart_leaves(x, y, seed, tree_depth))[0],
        tree_text=tree[1], features=feature_scores(x, y, seed),
    )  # fmt: skip


def choose_box(found: Any, trajectory: pd.DataFrame, *, min_coverage: float, alpha: float) -> int:
    """The densest box covering ``min_coverage`` of the cases whose every limit is significant
    (quasi-p-value at most ``alpha``); without one, the densest covering box (or the first)."""
    covering = trajectory[trajectory["coverage"] >= min_coverage]
    if covering.empty:
        return 0

    def limits_significant(i: int) -> bool:
        quasi_p = [q for qs in found.p_values[i].values() for q in qs if q is not None and q >= 0]
        return all(q <= alpha for q in quasi_p)

    significant = [i for i in covering.index if limits_significant(i)]
    pool = covering.loc[significant] if significant else covering
    return int(pool["density"].idxmax())


def run_prim(x: pd.DataFrame, y: np.ndarray, *, peel_alpha: float) -> Any:
    """EMA Workbench's PRIM box (peeling, then pasting), quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional notebook parts it lacks (ipyparallel, altair)
        try:
            from ema_workbench.analysis import prim
        except ImportError:
            raise MissingExtraError("ema-workbench", "PRIM (alliance-sim discover)") from None
        logging.getLogger("EMA").setLevel(logging.WARNING)
        return prim.Prim(x, y, peel_alpha=peel_alpha, paste_alpha=peel_alpha).find_box()


def box_table(found: Any, index: int, x: pd.DataFrame) -> pd.DataFrame:
    """The restricted parameters of box ``index`` with their quasi-p-values."""
    limits = found.box_lims[index]
    p_values = found.p_values[index] if index < len(found.p_values) else {}
    rows = []
    for name in x.columns:
        low, high = float(limits.loc[0, name]), float(limits.loc[1, name])
        sampled = float(x[name].min()), float(x[name].max())
        if (low, high) == sampled:
            continue
        qp = [np.nan if q is None or q < 0 else float(q) for q in p_values.get(name, [-1, -1])]
        rows.append((name, low, high, *sampled, *qp))
    return pd.DataFrame(rows, columns=BOX_COLUMNS)


def cart_leaves(x: pd.DataFrame, y: np.ndarray, seed: int, depth: int) -> tuple[pd.DataFrame, str]:
    """A classification tree's leaves as rules (densest first) and the tree as text."""
    tree_module = sklearn("tree")
    leaf = max(1, round(0.02 * len(y)))
    model = tree_module.DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf,
                                               random_state=seed).fit(x, y)  # fmt: skip
    tree = model.tree_
    rows = []

    def walk(node: int, rule: list[str]) -> None:
        if tree.children_left[node] == -1:
            n = int(tree.n_node_samples[node])
            k = round(tree.value[node][0][list(model.classes_).index(True)] * n)
            rows.append((" and ".join(rule) or "(all runs)", n, k, k / n))
            return
        name, cut = x.columns[tree.feature[node]], tree.threshold[node]
        walk(tree.children_left[node], [*rule, f"{name} <= {cut:.3g}"])
        walk(tree.children_right[node], [*rule, f"{name} > {cut:.3g}"])

    walk(0, [])
    leaves = pd.DataFrame(rows, columns=["rule", "n", "cases", "density"])
    text = tree_module.export_text(model, feature_names=list(x.columns), decimals=3)
    return leaves.sort_values("density", ascending=False, ignore_index=True), text


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Extra-trees importances with EMA Workbench's settings (a third of the features per
    split, leaves of at least sqrt(N / 1000) runs)."""
    ensemble = sklearn("ensemble")
    model = ensemble.ExtraTreesClassifier(
        n_estimators=100, max_features=max(1, round(x.shape[1] / 3)),
        min_samples_leaf=max(1, round(math.sqrt(len(y) / 1000))), bootstrap=True,
        random_state=seed, n_jobs=1,
    ).fit(x, y)  # fmt: skip
    scores = pd.DataFrame({"parameter": x.columns, "score": model.feature_importances_})
    scores["rank"] = scores["score"].rank(ascending=False, method="min").astype(int)
    return scores.sort_values("rank", ignore_index=True)


def sklearn(module: str) -> Any:
    """``sklearn.<module>``, or a clear error naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(f"sklearn.{module}")
    except ImportError:
        raise MissingExtraError("scikit-learn", "CART and feature scores") from None


def discover(
    runs: pd.DataFrame,
    parameters: list[str],
    where: str,
    *,
    seed: int,
    min_coverage: float = 0.5,
    peel_alpha: float = 0.05,
    box: int | None = None,
) -> Discovery:
    """Scenario discovery over the runs of a sweep: those where ``where`` holds (an expression
    over the runs table, :func:`sim.analysis.expressions.evaluate`) against the swept
    ``parameters``; the options are those of :func:`discover_cases` (``Results.discover``
    gathers the inputs from a results folder).

    Raises
    ------
    StatsInputError
        If ``where`` is not a yes/no expression over the runs, or as :func:`discover_cases`.
    """
    cases = evaluate(runs, where)
    if not pd.api.types.is_bool_dtype(cases):
        raise StatsInputError(f"--where {where!r}: expected a yes/no expression (such as "
                              "`joined_BGR and crisis_count == 0`), found numbers")  # fmt: skip
    return discover_cases(runs[parameters], cases.to_numpy(), where=where, seed=seed,
                          min_coverage=min_coverage, peel_alpha=peel_alpha, box=box)  # fmt: skip


def write_discovery(folder: str | Path, found: Discovery) -> list[Path]:
    """Write ``discovery.json`` and the tables as ``discovery_<table>.csv`` in the folder."""
    written = [Path(folder) / "discovery.json"]
    write_json(found.to_dict(), written[0])
    for name in ("trajectory", "box", "tree", "features"):
        path = Path(folder) / f"discovery_{name}.csv"
        write_csv(getattr(found, name), path)
        written.append(path)
    return written
