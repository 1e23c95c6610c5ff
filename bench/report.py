"""Time of each figure and of the report on a 10,000-run results folder: prints figures, is not a
test.

It runs (once, or reuses with ``--folder``) the Bulgaria question with two variants (baseline and
Bulgaria joins) x 5,000 replications x 120 months and monthly trajectories: 10,000 runs, 1.2
million trajectory rows. Then, each in a fresh Python process:

1. every figure drawn and saved as PNG, one at a time (seconds per figure, from reading the
   Parquet parts to the PNG bytes);
2. ``report.html`` with every figure drawn and embedded, and again reusing the PNGs that
   ``figures/`` holds (as after ``alliance-sim run``) (seconds);
3. peak resident memory (``ru_maxrss``) of drawing all figures and the report, next to that of
   only reading the whole runs and trajectory tables into pandas (what the figures avoid by
   reading only the columns they need).

Run: python bench/report.py [--folder RESULTS] [--replications N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from sim.experiment.spec import experiment_from_dict
from sim.scenario.shipped import default_scenario_path
from sim.workflow import run_experiment

FIGURES_SCRIPT = """
import io, json, resource, sys, time
import matplotlib.pyplot as plt
from sim.analysis.results import open_results
from sim.experiment.figures import FIGURES
from sim.report.drawing import BUILDERS, FigureContext, figure_plan, write_figures
from sim.report.html import write_report
results = open_results(sys.argv[1])
context = FigureContext(results)
times = {}
for name, reason in figure_plan(results, list(FIGURES)).items():
    if reason:
        times[name] = reason
        continue
    start = time.perf_counter()
    figure = BUILDERS[name].draw(context)
    figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    plt.close(figure)
    times[name] = time.perf_counter() - start
start = time.perf_counter()
write_report(sys.argv[1], out=sys.argv[2], redraw=True)
times["report.html"] = time.perf_counter() - start
write_figures(sys.argv[1])
start = time.perf_counter()
write_report(sys.argv[1], out=sys.argv[2])
times["report.html, figures/ reused"] = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"times": times, "peak_kib": peak}))
"""

READ_ALL_SCRIPT = """
import json, resource, sys
from sim.analysis.results import open_results
results = open_results(sys.argv[1])
rows = len(results.runs), len(results.series)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": rows, "peak_kib": peak}))
"""


def build_folder(out: Path, replications: int) -> Path:
    experiment = experiment_from_dict({
        "name": "bench_report",
        "scenario": str(default_scenario_path()),
        "variants": {
            "baseline": {},
            "bulgaria_joins": {"events": [{"month": "2026-06", "type": "join", "bloc": "tirana",
                                           "country": "BGR"}]},
        },
        "replications": replications,
        "seed": 20250318,
        "months": 120,
        "outputs": {"series": "monthly"},
    })  # fmt: skip
    return run_experiment(experiment, out=out, progress=True, plots=False).path


def measure(script: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="reuse this results folder")
    parser.add_argument("--replications", type=int, default=5000, help="runs per variant")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = options.folder or build_folder(Path(scratch), options.replications)
        drawn = measure(FIGURES_SCRIPT, str(folder), str(Path(scratch) / "report.html"))
        read_all = measure(READ_ALL_SCRIPT, str(folder))
    runs, series = read_all["rows"]
    print(f"\nresults folder: {runs:,} runs, {series:,} trajectory rows ({folder.name})")
    print(f"{'figure':<30} {'seconds':>8}")
    for name, value in drawn["times"].items():
        shown = f"{value:8.2f}" if isinstance(value, float) else f"   n/a    ({value})"
        print(f"{name:<30} {shown}")
    total = sum(v for k, v in drawn["times"].items() if isinstance(v, float) and "report" not in k)
    print(f"{'all figures':<30} {total:8.2f}")
    figures_mib, all_mib = drawn["peak_kib"] / 1024, read_all["peak_kib"] / 1024
    print(f"\npeak memory, every figure + report: {figures_mib:7.0f} MiB")
    print(f"peak memory, only reading all runs and series: {all_mib:7.0f} MiB "
          f"(ratio {all_mib / figures_mib:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
