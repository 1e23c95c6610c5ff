"""alliance-sim: simulate how regional security pacts grow, stall or provoke.

The two entry points of the Python API are imported lazily, so that ``import sim.config`` stays
light::

    from sim import load_experiment, run_experiment

    results = run_experiment(load_experiment("experiments/bulgaria_question.yaml"))
    results.runs, results.series, results.summary, results.path
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_experiment", "open_results", "run_experiment"]


def __getattr__(name: str) -> Any:
    if name == "load_experiment":
        from sim.experiment import load_experiment

        return load_experiment
    if name == "run_experiment":
        from sim.runner import run_experiment

        return run_experiment
    if name == "open_results":
        from sim.results import open_results

        return open_results
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
