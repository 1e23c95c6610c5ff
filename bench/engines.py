"""Engine speed: the Mesa reference engine against the batch engine, side by side.

Prints, in one invocation, on the default scenario (120 months, outcomes only unless said):

1. runs per second of the Mesa engine and of the batch engine in this one process, and their
   ratio (medians of several repeats);
2. runs per second of the batch engine through the runner with every core (``run_experiment``,
   worker processes, Parquet parts), for 1e2 .. 1e5 runs;
3. runs per second of the batch engine in one process for generated scenarios of 6, 12, 24 and
   48 countries, so the cost growth with countries is visible;
4. the headline job: ``alliance-sim run`` of 100,000 runs with yearly trajectories and the summary,
   end to end in a fresh process, with its wall time and peak memory (largest of the process and
   its workers, ``ru_maxrss``).

Run: python bench/engines.py [--repeats N] [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from sim import run_experiment
from sim.experiment.seeds import run_seeds
from sim.experiment.spec import experiment_from_dict
from sim.model.batch_engine import simulate_batch
from sim.model.mesa_engine import AllianceModel
from sim.model.world import compile_world
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.shipped import ROOT, default_scenario_path
from sim.scenario.synthetic import synthetic_scenario

MONTHS = 120
CHUNK = 500


def median_rate(function, runs: int, repeats: int) -> tuple[float, list[float]]:
    """Median runs per second of ``function`` over ``repeats`` calls."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        rates.append(runs / (time.perf_counter() - start))
    return statistics.median(rates), rates


def mesa_runs(scenario: Scenario, seeds: np.ndarray) -> None:
    for seed in seeds:
        AllianceModel(scenario, months=MONTHS, rng=int(seed)).run()


def batch_runs(world, seeds: np.ndarray) -> None:
    """The batch engine as the runner uses it: chunks of ``CHUNK`` runs."""
    for start in range(0, len(seeds), CHUNK):
        simulate_batch(world, seeds[start : start + CHUNK], months=MONTHS)


def runner_rate(runs: int, repeats: int) -> float:
    rates = []
    for _ in range(repeats):
        spec = {
            "name": "bench",
            "scenario": str(default_scenario_path()),
            "replications": runs,
            "seed": 1,
            "months": MONTHS,
        }
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            run_experiment(experiment_from_dict(spec), out=out, progress=False, summary=False)
            rates.append(runs / (time.perf_counter() - start))
    return statistics.median(rates)


def headline(runs: int) -> tuple[float, float]:
    """Wall seconds and peak MiB of ``alliance-sim run`` (yearly series, summary), new process."""
    with tempfile.TemporaryDirectory() as folder:
        experiment = Path(folder) / "headline.yaml"
        experiment.write_text(
            yaml.safe_dump(
                {
                    "name": "headline",
                    "scenario": str(default_scenario_path()),
                    "replications": runs,
                    "seed": 1,
                    "months": MONTHS,
                    "outputs": {"series": "yearly"},
                }
            )
        )
        script = (
            "import resource, sys\n"
            "from sim.cli import main\n"
            f"code = main(['run', {str(experiment)!r}, '--out', {folder!r}])\n"
            "peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,\n"
            "           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "print('PEAK', peak, file=sys.stderr)\n"
            "sys.exit(code)\n"
        )
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
        )
        seconds = time.perf_counter() - start
    peak_kib = int(done.stderr.split("PEAK")[-1].split()[0])
    return seconds, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the 1e5-run measurements")
    args = parser.parse_args()
    repeats = args.repeats
    scenario = load_scenario(default_scenario_path())
    world = compile_world(scenario)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )

    mesa_seeds, batch_seeds = run_seeds(1, range(20)), run_seeds(1, range(5000))
    mesa, mesa_all = median_rate(lambda: mesa_runs(scenario, mesa_seeds), 20, repeats)
    batch, batch_all = median_rate(lambda: batch_runs(world, batch_seeds), 5000, repeats)
    print(f"\n1. one process, default scenario, 120 months, outcomes only (median of {repeats})")
    print(f"   Mesa engine   {mesa:8.1f} runs/s   ({', '.join(f'{r:.1f}' for r in mesa_all)})")
    print(f"   batch engine  {batch:8.1f} runs/s   ({', '.join(f'{r:.0f}' for r in batch_all)})")
    print(f"   ratio batch / Mesa: {batch / mesa:.0f}x")

    print(
        f"\n2. batch engine through the runner (its default executor: serial below 5,000 runs, "
        f"else {os.cpu_count()} worker processes), chunks of {CHUNK}"
    )
    sizes = [100, 1_000, 10_000] if args.quick else [100, 1_000, 10_000, 100_000]
    for runs in sizes:
        rate = runner_rate(runs, 1 if runs >= 100_000 else min(repeats, 3))
        print(f"   {runs:>7,} runs  {rate:8.0f} runs/s")

    print(
        "\n3. batch engine, one process, generated scenarios (sim.scenario.synthetic), 1,000 runs"
    )
    for n in (6, 12, 24, 48):
        generated = compile_world(synthetic_scenario(n, rng=1))
        seeds = run_seeds(2, range(1000))
        rate, _ = median_rate(lambda g=generated, s=seeds: batch_runs(g, s), 1000, min(repeats, 3))
        print(f"   {n:>2} countries  {rate:8.0f} runs/s")

    if not args.quick:
        seconds, peak = headline(100_000)
        print("\n4. alliance-sim run: 100,000 runs, 120 months, yearly trajectories, summary")
        print(
            f"   wall time {seconds:.1f} s, peak memory {peak:.0f} MiB "
            f"(largest of the process and its workers)"
        )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this benchmark process: {own:.0f} MiB")


if __name__ == "__main__":
    main()
