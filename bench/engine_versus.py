"""The batch engine of this checkout against the batch engine of an earlier commit, side by side.

Checks the model issue's speed promise ("keep the batch engine within 10% of today"): it checks
out ``--against`` (a commit, default the one the promise was made at) into a temporary worktree,
then times (wall and CPU) the same job, ``--runs`` runs of ``--months`` months of the default
scenario in chunks of 500, alternately in the old and the new code (fresh processes,
interleaved, so load on a shared machine hits both alike), and prints each round, the medians
and their ratios, and the ratio of the fastest rounds (the least disturbed). ``--against
HEAD`` measures what uncommitted changes do.

Run: python bench/engine_versus.py [--against REF] [--rounds N] [--runs N] [--months N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROMISE_COMMIT = "3088d57"

# One timed job, run in a fresh interpreter whose sys.path starts at the checkout to time. It
# imports through either layout: the packages of today, or the flat modules of older commits.
JOB = """
import sys, time
import numpy as np
try:
    from sim.model.batch_engine import simulate_batch
    from sim.model.world import compile_world
    from sim.scenario.loading import load_scenario
    from sim.scenario.shipped import default_scenario_path
except ImportError:
    from sim.ensemble import simulate_batch
    from sim.world import compile_world
    from sim.config import load_scenario
    from sim.scenarios import default_scenario_path
runs, months = int(sys.argv[1]), int(sys.argv[2])
world = compile_world(load_scenario(default_scenario_path()))
seeds = np.arange(1, runs + 1)
simulate_batch(world, seeds[:50], months=months)  # warm up imports and caches
start, start_cpu = time.perf_counter(), time.process_time()
for first in range(0, runs, 500):
    simulate_batch(world, seeds[first : first + 500], months=months)
print(time.perf_counter() - start, time.process_time() - start_cpu)
"""


def timed(checkout: Path, runs: int, months: int) -> tuple[float, float]:
    """Wall and CPU seconds the job took in a fresh interpreter importing ``sim`` from
    ``checkout``."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    output = subprocess.run(
        [sys.executable, "-c", JOB, str(runs), str(months)],
        cwd=checkout,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    wall, cpu = output.split()[-2:]
    return float(wall), float(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=PROMISE_COMMIT, help="commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--months", type=int, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        old = Path(scratch) / "old"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old), args.against],
            check=True,
        )
        try:
            print(
                f"{args.runs} runs x {args.months} months, default scenario, chunks of 500;"
                f" load average {os.getloadavg()[0]:.1f}"
            )
            old_times, new_times = [], []
            for round_number in range(1, args.rounds + 1):
                old_times.append(timed(old, args.runs, args.months))
                new_times.append(timed(ROOT, args.runs, args.months))
                print(
                    f"  round {round_number}: {args.against} {old_times[-1][0]:6.2f} s wall"
                    f" {old_times[-1][1]:6.2f} s CPU   this checkout {new_times[-1][0]:6.2f} s"
                    f" wall {new_times[-1][1]:6.2f} s CPU"
                )
            for column, kind in enumerate(("wall", "CPU")):
                old_median = statistics.median(times[column] for times in old_times)
                new_median = statistics.median(times[column] for times in new_times)
                print(
                    f"median {kind}: {args.against} {old_median:.2f} s, this checkout"
                    f" {new_median:.2f} s; ratio {new_median / old_median:.2f} (goal <= 1.10)"
                )
            # the fastest round of each is the one least disturbed by other work on the machine
            old_best = min(times[1] for times in old_times)
            new_best = min(times[1] for times in new_times)
            print(
                f"fastest CPU: {args.against} {old_best:.2f} s, this checkout {new_best:.2f} s;"
                f" ratio {new_best / old_best:.2f}"
            )
            print(
                f"load average {os.getloadavg()[0]:.1f} (on a shared machine the CPU ratio is"
                " the steadier one)"
            )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=True
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
