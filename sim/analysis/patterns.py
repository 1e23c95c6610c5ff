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
  ``counter_bloc`` (one forms); Wilson interval. ``bloc`` counts the events of another bloc
  than the pact (its ``<bloc>.`` columns); ``country`` may be a group (any of its members),
  and narrows ``exit`` to those countries.
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
        evaluate_one(pattern, first, last, world, result.runs, result.series, scenario)
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
    scenario: Scenario,
) -> PatternResult:
    """The estimate and interval of one pattern from the outcome rows and trajectories."""
    n = len(runs)
    if pattern.measure == "probability":
        countries = None if pattern.country is None else scenario.expand([pattern.country])
        flags = event_within(pattern, runs, world, first, last, countries)
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
    pattern: Pattern,
    runs: pd.DataFrame,
    world: World,
    first: int,
    last: int,
    countries: list[str] | None = None,
) -> np.ndarray:
    """Per run: did the pattern's event happen in a month of ``first .. last``?

    The event is the pact's, or that of the bloc ``pattern.bloc`` (its columns have the bloc's
    name and a dot in front); ``countries`` (the pattern's country or group) narrows ``join``
    and ``exit`` to those countries: any of them counts.
    """

    def within(column: str) -> np.ndarray:
        months = runs[column].to_numpy(dtype=float)
        return (months >= first) & (months <= last)

    def any_within(columns: list[str]) -> np.ndarray:
        return np.column_stack([within(c) for c in columns]).any(axis=1)

    names = [bloc.name for bloc in world.blocs]
    slot = world.pact if pattern.bloc is None else names.index(pattern.bloc)
    prefix = "" if slot == world.pact else f"{pattern.bloc}."
    founders = set(world.blocs[slot].members) if slot >= 0 else set()
    subjects = list(world.codes) if countries is None else countries
    match pattern.event:
        case "new_member":
            return any_within(
                [f"{prefix}join_month_{c}" for i, c in enumerate(world.codes) if i not in founders]
            )
        case "join":
            return any_within([f"{prefix}join_month_{c}" for c in subjects])
        case "apply" | "invite" | "ratified":  # the stage columns of accession: process
            return any_within([f"{pattern.event}_month_{c}" for c in subjects])
        case "exit":
            return any_within([f"{prefix}exit_month_{c}" for c in subjects])
        case "crisis":
            return within("first_crisis_month")
        case "security_mechanism" | "formal_alliance":
            return within(f"{prefix}stage_month_{pattern.event}")
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
