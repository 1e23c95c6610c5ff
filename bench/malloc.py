"""CPU time of batch-engine chunks with and without Dask's default ``MALLOC_TRIM_THRESHOLD_``.

Dask's nanny (``dask worker``, ``LocalCluster``) starts worker processes with
``MALLOC_TRIM_THRESHOLD_=65536``; on glibc that also fixes malloc's mmap threshold at 128 kB, so
the batch engine's arrays are mapped and unmapped afresh on every allocation. This script runs
the same chunks (default 4 × 500 runs of the default scenario, 120 months) in a fresh Python
process without the variable, with Dask's value, and with a large value, and prints CPU time
(user, system), minor page faults and the ratio to the first, side by side. CPU time rather than
wall time: it hardly depends on other work on the machine.

Run: python bench/malloc.py [--chunks 4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = """
import json, resource, sys
from sim.experiment.chunks import Chunk, run_chunk
from sim.experiment.spec import experiment_from_dict
from sim.scenario.shipped import default_scenario_path

count = int(sys.argv[1])
experiment = experiment_from_dict({"name": "bench_malloc", "scenario": str(default_scenario_path()),
                                   "replications": 500 * count, "seed": 20250318, "months": 120})
name = experiment.variant_names[0]
chunks = [Chunk(variant=name, start=i * 500, stop=(i + 1) * 500, engine="batch", months=120,
                seeds=tuple(experiment.seeds(0, range(i * 500, (i + 1) * 500))),
                scenario=experiment.scenarios.get(name)) for i in range(count)]
run_chunk(chunks[0])  # imports and first-call costs out of the way
before = resource.getrusage(resource.RUSAGE_SELF)
for chunk in chunks:
    run_chunk(chunk)
after = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"user": after.ru_utime - before.ru_utime,
                  "system": after.ru_stime - before.ru_stime,
                  "faults": after.ru_minflt - before.ru_minflt}))
"""

SETTINGS = {
    "unset (alliance-sim's local cluster)": None,
    "65536 (Dask's default)": "65536",
    "134217728 (any value turns the adaptive threshold off)": "134217728",
}


def measure(value: str | None, chunks: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
    if value is not None:
        env["MALLOC_TRIM_THRESHOLD_"] = value
    out = subprocess.run([sys.executable, "-c", CHILD, str(chunks)], env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=4, help="chunks of 500 runs to time")
    args = parser.parse_args()
    print(f"{args.chunks} chunks of 500 batch runs (120 months); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"{'MALLOC_TRIM_THRESHOLD_':<56} {'user s':>7} {'sys s':>7} {'CPU s':>7} "
          f"{'page faults':>12} {'vs unset':>9}")  # fmt: skip
    first = None
    for name, value in SETTINGS.items():
        found = measure(value, args.chunks)
        cpu = found["user"] + found["system"]
        first = first or cpu
        print(f"{name:<56} {found['user']:7.2f} {found['system']:7.2f} {cpu:7.2f} "
              f"{found['faults']:12,.0f} {cpu / first:9.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
