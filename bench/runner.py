"""Throughput and memory of the experiment runner: prints figures, is not a test.

In one invocation it measures, on the default scenario (120 months):

1. runs per second of the Mesa engine, serial and with 2 worker processes;
2. runs per second of the batch engine, serial and with 2 worker processes;
3. peak resident memory (``resource.getrusage(...).ru_maxrss`` of the process itself and of its
   worker processes) of a 10,000-run batch experiment, next to a 2,000-run one, each in a fresh
   Python process: running alone (the runner streams parts to disk, so this should not grow
   with the number of runs) and running plus writing ``summary.csv`` (the statistics read every
   run and bootstrap them, which does grow).

Runs per second are end to end: ``run_experiment`` from planning to the last part on disk,
including worker start-up (spawn) and Parquet writes, excluding the summary statistics. Each
figure is the median of several repeats into fresh folders.

Run: python bench/runner.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from sim import run_experiment
from sim.experiment.spec import experiment_from_dict
from sim.scenario.shipped import default_scenario_path

MEMORY_SCRIPT = """
import json, resource, sys, tempfile
from sim.experiment.spec import experiment_from_dict
from sim import run_experiment
experiment = experiment_from_dict({json})
with tempfile.TemporaryDirectory() as out:
    results = run_experiment(experiment, out=out, executor="processes", workers=2,
                             progress=False, summary={summary})
    rows = sum(task["stop"] - task["start"] for task in results.manifest["tasks"])
self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({{"rows": rows, "self_kib": self, "children_kib": children}}))
"""


def experiment(replications: int, engine: str, *, name: str = "bench") -> dict:
    return {
        "name": name,
        "scenario": str(default_scenario_path()),
        "replications": replications,
        "seed": 20250318,
        "months": 120,
        "engine": engine,
    }


def rate(data: dict, *, executor: str, workers: int, chunk: int, repeats: int) -> list[float]:
    """Runs per second of each repeat."""
    loaded = experiment_from_dict(data)
    rates = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            run_experiment(loaded, out=out, executor=executor, workers=workers,
                           chunk_size=chunk, progress=False, summary=False)  # fmt: skip
            rates.append(data["replications"] / (time.perf_counter() - started))
    return rates


def peak_memory(replications: int, *, summary: bool) -> dict:
    """Peak RSS of a fresh process running a batch experiment with 2 workers."""
    data = experiment(replications, "batch", name="memory")
    script = MEMORY_SCRIPT.format(json=repr(data), summary=summary)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats per figure (median)")
    args = parser.parse_args()
    print(f"alliance-sim runner benchmark: Python {platform.python_version()}, {os.cpu_count()} "
          f"CPUs, default scenario, 120 months, {args.repeats} repeats")  # fmt: skip
    cases = [
        ("mesa", "serial", 1, 300, 50),
        ("mesa", "processes", 2, 300, 50),
        ("batch", "serial", 1, 10_000, 500),
        ("batch", "processes", 2, 10_000, 500),
    ]
    print(f"{'engine':<7}{'executor':<14}{'runs':>6}{'chunk':>7}{'runs/s (median)':>18}"
          f"{'all repeats':>26}")  # fmt: skip
    for engine, executor, workers, runs, chunk in cases:
        rates = rate(experiment(runs, engine), executor=executor, workers=workers, chunk=chunk,
                     repeats=args.repeats)  # fmt: skip
        label = executor if workers == 1 else f"{executor} x{workers}"
        shown = ", ".join(f"{r:.0f}" for r in rates)
        print(f"{engine:<7}{label:<14}{runs:>6}{chunk:>7}{statistics.median(rates):>18.1f}"
              f"{shown:>26}")  # fmt: skip
    print("\npeak memory (ru_maxrss), batch engine, 2 worker processes, fresh process each:")
    for summary in (False, True):
        for replications in (2_000, 10_000):
            peak = peak_memory(replications, summary=summary)
            label = "run + summary.csv" if summary else "run only"
            print(f"  {label:<18}{replications:>6} runs: runner process "
                  f"{peak['self_kib'] / 1024:.0f} MiB, largest worker "
                  f"{peak['children_kib'] / 1024:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
