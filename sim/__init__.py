"""alliance-sim: simulate how regional security pacts grow, stall or provoke.

The entry points of the Python API are imported lazily, so that ``import sim.scenario`` stays
light::

    from sim import load_experiment, run_experiment

    results = run_experiment(load_experiment("experiments/bulgaria_question.yaml"))
    results.runs, results.series, results.summary, results.path
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_experiment", "load_scenario", "open_results", "run_experiment"]


def __getattr__(name: str) -> Any:
    if name in ("load_experiment", "open_results", "run_experiment"):
        from sim import workflow

        return getattr(workflow, name)
    if name == "load_scenario":
        from sim.scenario import load_scenario

        return load_scenario
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
