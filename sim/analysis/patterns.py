"""Pattern-oriented checks of a scenario: does the model reproduce what is known?

A scenario may carry a ``patterns:`` section (Grimm et al. 2005): statements about its history
or plausibility bounds, each a measure over a period with a target range and the reasoning
behind it. :func:`evaluate_patterns` runs the scenario many times (batch engine, seeded,
``replications`` runs) and gives, for each pattern, the estimate with its 95% interval and
whether the estimate lies in the target range.

Measures (``docs/configuration.md``, "Patterns"):

- ``probability`` of an ``event`` from the scenario's start to the end of the period:
  ``new_member`` (a country that was not a
  founder enters the pact), ``join`` (of ``country``), the stages ``apply``, ``invite`` and
  ``ratified`` (the last ratification) of ``country`` when the pact has ``accession: process``,
  ``crisis``, ``exit`` (some country leaves
  the pact), ``security_mechanism`` / ``formal_alliance`` (the pact rises into that stage),
  ``counter_bloc`` (one forms); Wilson interval.
- ``mean`` of a trajectory ``variable`` (``tension_A-B`` of a tracked dyad, ``alignment_C``,
  ``depth``, ``members``, ``mean_tension``) at the end of the period; t interval.
- ``rise``: the probability that ``variable`` is higher at the end of the period than at its
  start (the value before the period's first month); Wilson interval.

References
----------
Grimm, V. et al. (2005). Pattern-oriented modeling of agent-based complex systems: lessons from
ecology. Science 310(5750), 987-991.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.stats import wilson_interval
from sim.errors import ConfigError
from sim.experiment.seeds import run_seeds
from sim.model.batch_engine import simulate_batch
from sim.model.world import World, compile_world
from sim.scenario.schema import EventBase, Pattern, Scenario

__all__ = ["DEFAULT_SEED", "PatternResult", "evaluate_patterns"]

DEFAULT_SEED = 20250318
CONFIDENCE = 0.95


@dataclass(frozen=True)
class PatternResult:
    """One pattern's estimate over the runs, its interval and whether it lies in the target."""

    pattern: Pattern
    first_step: int
    last_step: int
    estimate: float
    low: float
    high: float
    runs: int

    @property
    def passed(self) -> bool:
        low, high = self.pattern.target
        return bool(low <= self.estimate <= high)


def evaluate_patterns(
    scenario: Scenario, *, replications: int = 1000, seed: int = DEFAULT_SEED
) -> list[PatternResult]:
    """Run ``scenario`` ``replications`` times and evaluate each of its patterns.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario with a ``patterns:`` section.
    replications : int, keyword-only
        Number of runs (batch engine); run k has seed ``run_seed(seed, k)``.
    seed : int, keyword-only
        Master seed.

    Returns
    -------
    list of PatternResult
        In the order of the scenario's patterns.

    Raises
    ------
    ConfigError
        If the scenario has no patterns or ``replications`` is below 2.
    """
    if not scenario.patterns:
        raise ConfigError(None, "patterns", "a scenario with a patterns: section", "none")
    if replications < 2:
        raise ConfigError(None, "--replications", "at least 2 runs", replications)
    world = compile_world(scenario)
    steps = [period_steps(scenario, pattern) for pattern in scenario.patterns]
    horizon = max(last for _, last in steps) + 1
    needs_series = any(p.measure != "probability" for p in scenario.patterns)
    result = simulate_batch(
        world,
        run_seeds(seed, range(replications)),
        months=horizon,
        series_every=1 if needs_series else None,
    )
    return [
        evaluate_one(pattern, first, last, world, result.runs, result.series)
        for pattern, (first, last) in zip(scenario.patterns, steps, strict=True)
    ]


def period_steps(scenario: Scenario, pattern: Pattern) -> tuple[int, int]:
    """The first and last model step of a pattern's period (inclusive)."""
    first, last = (scenario.event_step(EventBase(month=month)) for month in pattern.period)
    return first, last


def evaluate_one(
    pattern: Pattern,
    first: int,
    last: int,
    world: World,
    runs: pd.DataFrame,
    series: pd.DataFrame | None,
) -> PatternResult:
    """The estimate and interval of one pattern from the outcome rows and trajectories."""
    n = len(runs)
    if pattern.measure == "probability":
        flags = event_within(pattern, runs, world, first, last)
        estimate, low, high = wilson_interval(int(flags.sum()), n, confidence=CONFIDENCE)
    else:
        at_end = values_at(series, pattern.variable, last)
        if pattern.measure == "mean":
            estimate = float(at_end.mean())
            spread = stats.sem(at_end) * stats.t.ppf((1 + CONFIDENCE) / 2, n - 1)
            low, high = (
                (estimate, estimate)
                if not np.isfinite(spread)
                else (
                    estimate - spread,
                    estimate + spread,
                )
            )
        else:  # rise
            before = (
                np.full(n, initial_value(world, pattern.variable))
                if first == 0
                else values_at(series, pattern.variable, first - 1)
            )
            estimate, low, high = wilson_interval(
                int(np.sum(at_end > before)), n, confidence=CONFIDENCE
            )
    return PatternResult(pattern, first, last, float(estimate), float(low), float(high), n)


def event_within(
    pattern: Pattern, runs: pd.DataFrame, world: World, first: int, last: int
) -> np.ndarray:
    """Per run: did the pattern's event happen in a month of ``first .. last``?"""

    def within(column: str) -> np.ndarray:
        months = runs[column].to_numpy(dtype=float)
        return (months >= first) & (months <= last)

    founders = set(world.blocs[world.pact].members) if world.pact >= 0 else set()
    match pattern.event:
        case "new_member":
            columns = [f"join_month_{c}" for i, c in enumerate(world.codes) if i not in founders]
            return np.column_stack([within(c) for c in columns]).any(axis=1)
        case "join":
            return within(f"join_month_{pattern.country}")
        case "apply" | "invite" | "ratified":  # the stage columns of accession: process
            return within(f"{pattern.event}_month_{pattern.country}")
        case "exit":
            columns = [f"exit_month_{c}" for c in world.codes]
            return np.column_stack([within(c) for c in columns]).any(axis=1)
        case "crisis":
            return within("first_crisis_month")
        case "security_mechanism" | "formal_alliance":
            return within(f"stage_month_{pattern.event}")
        case "counter_bloc":
            return within("counter_bloc_month")
    raise AssertionError(pattern.event)  # the schema allows only the cases above


def values_at(series: pd.DataFrame, variable: str, step: int) -> np.ndarray:
    """The trajectory ``variable`` of every run at the end of month ``step``, in run order."""
    at = series[series["month"] == step].sort_values("run")
    return at[variable].to_numpy(dtype=float)


def initial_value(world: World, variable: str) -> float:
    """The value of a trajectory variable before the first month (the scenario's start)."""
    codes = list(world.codes)
    if variable.startswith("tension_"):
        first, second = variable.removeprefix("tension_").split("-")
        return float(world.tension[0, codes.index(first), codes.index(second)])
    if variable.startswith("alignment_"):
        return float(world.alignment[0, codes.index(variable.removeprefix("alignment_"))])
    if variable == "depth":
        return float(world.blocs[world.pact].depth)
    if variable == "members":
        return float(len(world.blocs[world.pact].members))
    rows, cols = np.triu_indices(len(codes), k=1)
    return float(world.tension[0, rows, cols].mean())  # mean_tension
