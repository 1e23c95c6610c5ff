"""Wall time and parallel efficiency of a large experiment: processes vs a 2-worker Dask cluster.

One invocation runs the same experiment (default 100,000 batch-engine runs of the default
scenario, 120 months, chunks of 500) several ways on this machine, each into a fresh folder, and
prints them side by side:

1. serial, once (the baseline of the efficiencies; ``--serial-runs N`` times N runs instead and
   scales the time to the full number, as runs cost the same in every chunk);
2. the processes executor with 2 worker processes;
3. ``executor="dask"`` with 2 workers: a local Dask cluster (2 single-threaded worker
   processes on 127.0.0.1) started by the run itself, so its start-up is included;
4. the same kind of cluster started beforehand and given as ``scheduler=``, as when connecting to
   a running cluster (the cluster's start is printed apart). It is closed after its round, so
   no idle cluster runs beside another executor's round.

2-4 are repeated ``--rounds`` times, interleaved (processes, dask, dask, processes, ...), so that
other work on a shared machine slows each of them alike; the table shows each executor's fastest
round. Wall time is end to end ``run_to_folder``: planning, workers (or the connection and the
version check), every part on disk, the manifest; no summary statistics. Parallel efficiency is
``T_serial / (2 × T)``; "vs processes" is the ratio of an executor's efficiency to that of the
processes executor (equal to ``T_processes / T``). "CPU s" adds the CPU time of every process
that took part (this one, its worker processes, Dask's workers); unlike wall time it hardly
depends on other work on the machine, so it shows overheads even on a busy one. The load
average before and after is printed: a load above the number of CPUs makes parallel wall times
mostly a measure of the other work.

Run: python bench/dask.py [--runs N] [--serial-runs N] [--workers 2] [--rounds 1]
"""

from __future__ import annotations

import sys
from pathlib import Path

if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # this file is named dask.py: let `import distributed` find the real dask

import argparse
import os
import platform
import resource
import tempfile
import time

import distributed

from sim.experiment.dask_executor import local_cluster
from sim.experiment.runner import run_to_folder
from sim.experiment.spec import experiment_from_dict
from sim.scenario.shipped import default_scenario_path

CHUNK = 500


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))  # fmt: skip
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def worker_cpu_seconds() -> float:
    """CPU time of the process running this (asked of each Dask worker)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def timed(experiment, client=None, **options) -> tuple[float, float]:
    """Wall and CPU seconds of one run into a fresh folder (CPU of ``client``'s workers too)."""
    workers = (lambda: sum(client.run(worker_cpu_seconds).values())) if client else (lambda: 0.0)
    with tempfile.TemporaryDirectory() as out:
        cpu, theirs, started = cpu_seconds(), workers(), time.perf_counter()
        run_to_folder(experiment, out=out, progress=False, chunk_size=CHUNK, **options)
        wall = time.perf_counter() - started
        return wall, cpu_seconds() - cpu + workers() - theirs


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000, help="runs of the experiment")
    parser.add_argument("--serial-runs", type=int, default=None,
                        help="time serial on this many runs, scaled (default: all)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="workers of each parallel executor")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds of 2-4")
    args = parser.parse_args()

    def experiment(runs: int):
        return experiment_from_dict({
            "name": "bench_dask", "scenario": str(default_scenario_path()),
            "replications": runs, "seed": 20250318, "months": 120, "engine": "batch",
        })  # fmt: skip

    serial_runs = args.serial_runs or args.runs
    full = experiment(args.runs)
    print(f"{args.runs:,} batch runs (120 months, chunks of {CHUNK}) on {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, distributed {distributed.__version__}, "
          f"{args.rounds} round(s)")  # fmt: skip
    print(f"load average at start: {load()}", flush=True)
    serial_name = "serial" if serial_runs == args.runs else f"serial ({serial_runs:,} runs, scaled)"
    wall, cpu = timed(experiment(serial_runs), executor="serial")
    scale = args.runs / serial_runs
    rounds: dict[str, list[tuple[float, float]]] = {serial_name: [(wall * scale, cpu * scale)]}
    print(f"  {serial_name}: {wall * scale:.1f} s", flush=True)
    starts: list[float] = []

    def on_a_running_cluster() -> tuple[float, float]:
        """Start a cluster (timed apart), run on it by address, close it: no cluster outlives
        its own measurement, so no idle one takes CPU from another executor's round."""
        started = time.perf_counter()
        with local_cluster(args.workers) as cluster, distributed.Client(cluster) as client:
            starts.append(time.perf_counter() - started)
            return timed(full, client, scheduler=cluster.scheduler_address)

    runs = {
        "processes": lambda: timed(full, executor="processes", workers=args.workers),
        "dask, local cluster started by the run": lambda: timed(
            full, executor="dask", workers=args.workers
        ),
        "dask, cluster already running": on_a_running_cluster,
    }
    for round_ in range(args.rounds):
        order = list(runs) if round_ % 2 == 0 else list(reversed(runs))
        for name in order:
            rounds.setdefault(name, []).append(runs[name]())
            print(f"  round {round_ + 1}, {name}: {rounds[name][-1][0]:.1f} s "
                  f"(load {load()})", flush=True)  # fmt: skip
    end_load = load()

    best = {name: min(times) for name, times in rounds.items()}
    serial, processes = best[serial_name][0], best["processes"][0]
    print()
    print(f"{'executor':<40} {'wall s':>8} {'runs/s':>7} {'efficiency':>10} {'vs processes':>12} "
          f"{'CPU s':>7}")  # fmt: skip
    for name, (seconds, cpu) in best.items():
        workers = 1 if name == serial_name else args.workers
        efficiency = serial / (workers * seconds)
        ratio = "" if name == serial_name else f"{processes / seconds:.1%}"
        print(f"{name:<40} {seconds:8.1f} {args.runs / seconds:7,.0f} {efficiency:10.1%} "
              f"{ratio:>12} {cpu:7.1f}")  # fmt: skip
    print(f"\n(starting the already-running cluster took {min(starts):.1f} s, not counted)")
    print(f"load average at end: {end_load}")


if __name__ == "__main__":
    main()
