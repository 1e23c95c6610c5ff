"""How long the shipped Sobol experiment takes end to end, and what it finds: prints figures.

Runs ``experiments/sobol_default.yaml`` (Saltelli design over ten uncertain parameters of the
default scenario, batch engine) into a fresh folder, timing each stage separately:

1. loading the experiment (validating every design point's scenario);
2. running it (``run_to_folder``: tasks, design points stacked into batch worlds, parts);
3. the summaries (``summary.csv`` and ``design_summary.csv``, part by part);
4. the Sobol' indices of each named outcome (SALib),

then prints the ranked indices table of every outcome. With ``--plain`` it also times the same
number of runs of the plain default scenario (no sweep), so the cost of sweeping shows as a ratio.

Run: python bench/sweeps.py [--experiment PATH] [--workers N] [--samples N] [--plain]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import yaml

from sim.analysis.results import open_results, summarize
from sim.experiment.runner import run_to_folder
from sim.experiment.spec import experiment_from_dict, load_experiment
from sim.scenario.shipped import ROOT


def timed(step):
    started = time.perf_counter()
    value = step()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default=str(ROOT / "experiments" / "sobol_default.yaml"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, help="Replace the sweep's samples (N).")
    parser.add_argument(
        "--plain", action="store_true", help="Also time as many runs without a sweep (2x time)."
    )
    args = parser.parse_args()
    path = Path(args.experiment)
    if args.samples:
        data = yaml.safe_load(path.read_text())
        data["sweep"]["samples"] = args.samples
        data["scenario"] = str((path.parent / data["scenario"]).resolve())
        load = lambda: experiment_from_dict(data, file=path)  # noqa: E731
    else:
        load = lambda: load_experiment(path)  # noqa: E731
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {args.workers} workers")
    experiment, load_s = timed(load)
    runs = experiment.runs_per_variant * len(experiment.variant_names)
    print(f"{experiment.name}: {experiment.points} design points x {experiment.replications} "
          f"replications = {runs:,} runs of {experiment.months} months")  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        folder, run_s = timed(lambda: run_to_folder(experiment, out=out, workers=args.workers,
                                                    progress=False))  # fmt: skip
        _, summary_s = timed(lambda: summarize(folder))
        results = open_results(folder)
        tables = {}
        started = time.perf_counter()
        for outcome in results.outcomes():
            tables[outcome] = results.sensitivity(outcome, statistic="median")
        indices_s = time.perf_counter() - started
        plain_s = None
        if args.plain:
            plain = experiment_from_dict({
                "name": "plain", "scenario": experiment.scenario, "replications": runs,
                "seed": experiment.seed, "months": experiment.months,
            }, file=path)  # fmt: skip
            _, plain_s = timed(lambda: run_to_folder(plain, out=out, workers=args.workers,
                                                     progress=False))  # fmt: skip
    total = load_s + run_s + summary_s + indices_s
    print(f"\n{'stage':<34}{'seconds':>10}")
    for label, seconds in [("load + check every point", load_s), ("run (batch engine)", run_s),
                           ("summary + design summary", summary_s),
                           ("Sobol' indices, all outcomes", indices_s),
                           ("total", total)]:  # fmt: skip
        print(f"{label:<34}{seconds:>10.1f}")
    print(f"\nsweep: {runs / run_s:,.0f} runs/s")
    if plain_s is not None:
        print(
            f"the same number of runs without a sweep: {runs / plain_s:,.0f} runs/s "
            f"(sweep / plain time: {run_s / plain_s:.2f})"
        )
    for outcome, table in tables.items():
        print(f"\n{outcome} ({table['statistic'].iloc[0]} per point), ranked by ST:")
        shown = table[["rank", "parameter", "S1", "S1_conf", "ST", "ST_conf", "pawn_median"]]
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
