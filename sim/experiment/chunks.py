"""Run one chunk of an experiment: some replications of one variant, on one engine.

A :class:`Chunk` is plain, picklable data (the variant's validated scenario or model parameters,
the seeds, the horizon), so it can be sent to another process. :func:`run_chunk` returns the
outcome rows of the chunk with their identifiers (``variant, design_id, replication, seed``) and,
when asked, the trajectories, plus the runs that raised.

Failures are isolated run by run: the Mesa engine and generic Mesa models run one seed at a
time anyway; when the batch engine raises for a chunk, the chunk is retried one seed at a time so
that one bad run fails alone and the others keep their rows. A run's outcome does not depend on
which chunk it is in, so the retried rows equal those of a batch that did not fail.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.mesa_models import build_model, import_model, is_function
from sim.model.batch_engine import simulate_batch
from sim.model.world import compile_world, stack_worlds
from sim.scenario.schema import Scenario

ID_COLUMNS = ["variant", "design_id", "replication", "seed"]
Rows = tuple[pd.DataFrame, pd.DataFrame | None]  # outcome rows, trajectories (or None)


@dataclass(frozen=True)
class ModelSpec:
    """A generic Mesa model: ``module:Class``, its parameters, what to collect, how long."""

    target: str
    parameters: dict[str, Any]
    collect: tuple[str, ...]
    steps: int


@dataclass(frozen=True)
class Chunk:
    """Replications ``start .. stop - 1`` of one variant with their seeds."""

    variant: str
    start: int
    stop: int
    seeds: tuple[int, ...]
    engine: str  # batch | mesa | model
    months: int
    series_every: int | None = None
    scenario: Scenario | None = None
    model: ModelSpec | None = None
    design_id: int = 0
    values: tuple[tuple[str, Any], ...] = ()  # the design point's (parameter, value) pairs
    points: tuple[Chunk, ...] = ()  # a sweep's runs: one sub-chunk per design point

    @property
    def replications(self) -> range:
        return range(self.start, self.stop)


@dataclass
class ChunkResult:
    """Rows of the runs that completed, trajectories if asked, and the runs that raised."""

    runs: pd.DataFrame
    series: pd.DataFrame | None
    failures: list[dict[str, Any]] = field(default_factory=list)


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run every replication of a chunk; a run that raises is reported, not propagated."""
    if chunk.points:
        return run_points(chunk)
    if chunk.engine == "batch":
        return run_batch(chunk)
    one = {"mesa": run_mesa_one, "model": run_model_one}.get(chunk.engine)
    if one is None:
        raise ValueError(f"engine: expected batch, mesa or model, found {chunk.engine!r}")
    return run_one_by_one(chunk, lambda seed: one(chunk, seed))


def run_batch(chunk: Chunk) -> ChunkResult:
    """The batch engine over the whole chunk; one seed at a time if the chunk raises."""
    world = compile_world(chunk.scenario)
    seeds = list(chunk.seeds)
    try:
        runs, series = simulate_rows(world, seeds, chunk)
    except Exception:  # find the bad run(s) below
        return run_one_by_one(chunk, lambda seed: simulate_rows(world, [seed], chunk))
    replications = list(chunk.replications)
    return ChunkResult(
        identify(runs, chunk, replications, seeds),
        identify_series(series, chunk, replications, seeds),
    )


def run_points(chunk: Chunk) -> ChunkResult:
    """The design points of a sweep's chunk: with the batch engine all together in one world
    of per-run values when their scenarios differ only in values (:func:`stack_worlds`), else
    (or if that raises) point by point."""
    points = chunk.points
    if chunk.engine == "batch" and len(points) > 1:
        worlds = [compile_world(point.scenario) for point in points]
        counts = [len(point.seeds) for point in points]
        seeds = [seed for point in points for seed in point.seeds]
        try:
            runs, series = simulate_rows(stack_worlds(worlds, counts), seeds, chunk)
        except Exception:  # structures differ, or a run raised: point by point below
            pass
        else:
            return stacked_result(points, counts, runs, series)
    if chunk.engine == "batch":
        return merge([run_chunk(point) for point in points])
    return run_points_one_by_one(chunk)


def run_points_one_by_one(chunk: Chunk) -> ChunkResult:
    """Each run of each point alone (Mesa engine, generic models), identified in one go at
    the end: building a table per run would cost more than a cheap model's run."""
    one = {"mesa": run_mesa_one, "model": run_model_one}.get(chunk.engine)
    if one is None:
        raise ValueError(f"engine: expected batch, mesa or model, found {chunk.engine!r}")
    rows, owners, series, failures = [], [], [], []
    for point in chunk.points:
        for replication, seed in zip(point.replications, point.seeds, strict=True):
            try:
                row, trajectory = one(point, seed)
            except Exception as err:  # isolate the run, record the error
                failures.append(failure(point, replication, seed, err))
                continue
            rows.append(row)
            owners.append((point, replication, seed))
            if trajectory is not None:
                series.append(identify_series(trajectory, point, [replication], [seed]))
    if not rows:
        return ChunkResult(pd.DataFrame(), None, failures)
    ids = pd.DataFrame({
        "variant": pd.Series([p.variant for p, _, _ in owners], dtype="str"),
        "design_id": np.array([p.design_id for p, _, _ in owners], dtype=np.int64),
        "replication": np.array([r for _, r, _ in owners], dtype=np.int64),
        "seed": np.array([s for _, _, s in owners], dtype=np.int64),
        **{name: [dict(p.values)[name] for p, _, _ in owners] for name, _ in owners[0][0].values},
    })  # fmt: skip
    if isinstance(rows[0], dict):  # generic models: one table for all rows
        table = pd.DataFrame(rows)
    else:
        table = pd.concat(rows, ignore_index=True).drop(columns=["seed"], errors="ignore")
    runs = pd.concat([ids, table], axis=1)
    return ChunkResult(runs, concat(series) if series else None, failures)


def stacked_result(
    points: tuple[Chunk, ...], counts: list[int], runs: pd.DataFrame, series: pd.DataFrame | None
) -> ChunkResult:
    """Split the rows of a stacked batch back into points and identify them."""
    edges = np.cumsum([0, *counts])
    parts = []
    for point, first, last in zip(points, edges[:-1], edges[1:], strict=True):
        replications, seeds = list(point.replications), list(point.seeds)
        mine = None
        if series is not None:
            mine = series[(series["run"] >= first) & (series["run"] < last)].copy()
            mine["run"] -= first
        parts.append(ChunkResult(
            identify(runs.iloc[first:last], point, replications, seeds),
            identify_series(mine, point, replications, seeds),
        ))  # fmt: skip
    return merge(parts)


def merge(results: list[ChunkResult]) -> ChunkResult:
    """One result from the results of several points, in order."""
    series = [r.series for r in results if r.series is not None]
    return ChunkResult(
        concat([r.runs for r in results if len(r.runs)]),
        concat(series) if series else None,
        [failure for r in results for failure in r.failures],
    )


def run_one_by_one(chunk: Chunk, one: Callable[[int], Rows]) -> ChunkResult:
    """Each replication of the chunk alone: ``one(seed)`` returns its outcome row and its
    trajectory (or None); a run that raises is recorded in the failures and the others go on."""
    runs, series, failures = [], [], []
    for replication, seed in zip(chunk.replications, chunk.seeds, strict=True):
        try:
            row, trajectory = one(seed)
        except Exception as err:  # isolate the run, record the error
            failures.append(failure(chunk, replication, seed, err))
            continue
        row = pd.DataFrame([row]) if isinstance(row, dict) else row
        runs.append(identify(row, chunk, [replication], [seed]))
        if trajectory is not None:
            series.append(identify_series(trajectory, chunk, [replication], [seed]))
    return ChunkResult(concat(runs), concat(series) if series else None, failures)


def simulate_rows(world, seeds: list[int], chunk: Chunk) -> Rows:
    """``simulate_batch`` rows and trajectories of the chunk's seeds."""
    result = simulate_batch(world, seeds, months=chunk.months, series_every=chunk.series_every)
    return result.runs, result.series


def run_mesa_one(chunk: Chunk, seed: int) -> Rows:
    """One run of the reference Mesa engine."""
    from sim.model.mesa_engine import (
        AllianceModel,  # imports Mesa: only workers of the mesa engine pay
    )

    model = AllianceModel(
        chunk.scenario, months=chunk.months, series_every=chunk.series_every, rng=seed
    )
    model.run()
    return model.outcomes(), model.trajectories()


def run_model_one(chunk: Chunk, seed: int) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """One run of a generic Mesa model (build, step, collect; with ``series_every``, the
    ``collect`` values every that many steps too), or one call of a function model; the row
    is a mapping (a table per run would cost more than a cheap model's run)."""
    spec = chunk.model
    target = import_model(spec.target)
    if is_function(target):
        found = target(**spec.parameters, rng=seed)
        return {name: checked(name, found[name]) for name in spec.collect}, None
    model = build_model(target, dict(spec.parameters), seed)
    every, series = chunk.series_every, []
    steps = 0
    while steps < spec.steps and getattr(model, "running", True):
        if every and steps % every == 0:
            series.append({"run": 0, "step": steps, **collected(model, spec.collect)})
        model.step()
        steps += 1
    row = {"steps": steps, **collected(model, spec.collect)}
    if every:
        series.append({"run": 0, "step": steps, **row})
    return row, pd.DataFrame(series) if every else None


def collected(model: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The ``collect`` attributes of a model (a method is called)."""
    row = {}
    for name in names:
        if not hasattr(model, name):
            raise AttributeError(f"collect: {type(model).__name__} has no attribute {name!r}")
        value = getattr(model, name)
        row[name] = checked(name, value() if callable(value) else value)
    return row


def checked(name: str, value: Any) -> Any:
    """A collected value as a plain number, flag or text (TypeError otherwise)."""
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, bool | int | float | str) and value is not None:
        raise TypeError(
            f"collect: expected {name} to be a number, flag or text, found {type(value).__name__}"
        )
    return value


# --- identifiers ---------------------------------------------------------------------------------


def identify(
    rows: pd.DataFrame, chunk: Chunk, replications: list[int], seeds: list[int]
) -> pd.DataFrame:
    """Outcome rows with the identifier columns first (and the engine's own seed column dropped)."""
    rows = rows.drop(columns=["seed"], errors="ignore").reset_index(drop=True)
    ids = pd.DataFrame(
        {
            "variant": pd.Series([chunk.variant] * len(rows), dtype="str"),
            "design_id": np.full(len(rows), chunk.design_id, dtype=np.int64),
            "replication": np.asarray(replications, dtype=np.int64),
            "seed": np.asarray(seeds, dtype=np.int64),
            **{name: [value] * len(rows) for name, value in chunk.values},
        }
    )
    return pd.concat([ids, rows], axis=1)


def identify_series(
    series: pd.DataFrame | None, chunk: Chunk, replications: list[int], seeds: list[int]
) -> pd.DataFrame | None:
    """Trajectories with ``run`` (position in the batch) replaced by the identifier columns."""
    if series is None:
        return None
    run = series["run"].to_numpy()
    values = series.drop(columns=["run", "seed"], errors="ignore").reset_index(drop=True)
    ids = pd.DataFrame(
        {
            "variant": pd.Series([chunk.variant] * len(values), dtype="str"),
            "design_id": np.full(len(values), chunk.design_id, dtype=np.int64),
            "replication": np.asarray(replications, dtype=np.int64)[run],
            "seed": np.asarray(seeds, dtype=np.int64)[run],
            **{name: [value] * len(values) for name, value in chunk.values},
        }
    )
    table = pd.concat([ids, values], axis=1)
    time = "month" if "month" in table else "step"
    return table.sort_values(["replication", time], kind="stable", ignore_index=True)


def failure(chunk: Chunk, replication: int, seed: int, err: BaseException) -> dict[str, Any]:
    """A failed run as plain data for the manifest."""
    return {
        "variant": chunk.variant,
        "design_id": int(chunk.design_id),
        "replication": int(replication),
        "seed": int(seed),
        "error": f"{type(err).__name__}: {err}",
        "where": traceback.format_exception(err)[-2].strip() if err.__traceback__ else "",
    }


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
