"""Wall time and parallel efficiency of a large experiment: processes vs a 2-worker Dask cluster.

One invocation runs the same experiment (default 100,000 batch-engine runs of the default
scenario, 120 months, chunks of 500) four ways on this machine, each into a fresh folder, and
prints them side by side:

1. serial (the baseline of the efficiencies; ``--serial-runs N`` times N runs instead and scales
   the time to the full number, as runs cost the same in every chunk);
2. the processes executor with 2 worker processes;
3. ``executor="dask"`` with 2 workers: a local Dask cluster (2 single-threaded worker
   processes on 127.0.0.1) started by the run itself, so its start-up is included;
4. the same kind of cluster started beforehand and given as ``scheduler=``, as when connecting to
   a running cluster (the cluster's start is printed apart).

Wall time is end to end ``run_to_folder``: planning, workers (or the connection and the version
check), every part on disk, the manifest; no summary statistics. Parallel efficiency is
``T_serial / (2 × T)``; "vs processes" is the ratio of an executor's efficiency to that of the
processes executor (equal to ``T_processes / T``). The load average before and after is printed:
other work on the machine slows the parallel runs more than the serial one.

Run: python bench/dask.py [--runs N] [--serial-runs N] [--workers 2]
"""

from __future__ import annotations

import sys
from pathlib import Path

if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # this file is named dask.py: let `import distributed` find the real dask

import argparse
import os
import platform
import tempfile
import time

import distributed

from sim.experiment.runner import run_to_folder
from sim.experiment.spec import experiment_from_dict
from sim.scenario.shipped import default_scenario_path


def timed(experiment, **options) -> float:
    """Seconds of one run into a fresh folder."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        run_to_folder(experiment, out=out, progress=False, chunk_size=500, **options)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000, help="runs of the experiment")
    parser.add_argument("--serial-runs", type=int, default=None,
                        help="time serial on this many runs, scaled (default: all)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="workers of each parallel executor")
    args = parser.parse_args()

    def experiment(runs: int):
        return experiment_from_dict({
            "name": "bench_dask", "scenario": str(default_scenario_path()),
            "replications": runs, "seed": 20250318, "months": 120, "engine": "batch",
        })  # fmt: skip

    serial_runs = args.serial_runs or args.runs
    full = experiment(args.runs)
    loads = [os.getloadavg()]
    print(f"{args.runs:,} batch runs (120 months, chunks of 500) on {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, distributed {distributed.__version__}")  # fmt: skip
    print(f"load average before: {' '.join(f'{x:.2f}' for x in loads[0])}")
    serial_name = "serial" if serial_runs == args.runs else f"serial ({serial_runs:,} runs, scaled)"
    times = {
        serial_name: timed(experiment(serial_runs), executor="serial") * args.runs / serial_runs
    }
    times["processes"] = timed(full, executor="processes", workers=args.workers)
    times["dask, local cluster started by the run"] = timed(
        full, executor="dask", workers=args.workers
    )
    started = time.perf_counter()
    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:  # fmt: skip
        start_seconds = time.perf_counter() - started
        times["dask, cluster already running"] = timed(full, scheduler=cluster.scheduler_address)
    loads.append(os.getloadavg())

    serial, processes = times[serial_name], times["processes"]
    print()
    print(f"{'executor':<42} {'wall s':>8} {'runs/s':>8} {'efficiency':>10} {'vs processes':>13}")
    for name, seconds in times.items():
        workers = 1 if name == serial_name else args.workers
        efficiency = serial / (workers * seconds)
        ratio = "" if name == serial_name else f"{processes / seconds:.1%}"
        print(f"{name:<42} {seconds:8.1f} {args.runs / seconds:8,.0f} {efficiency:10.1%} "
              f"{ratio:>13}")  # fmt: skip
    print(f"\n(starting the already-running cluster took {start_seconds:.1f} s, not counted)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in loads[1])}")


if __name__ == "__main__":
    main()
