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

from sim.experiment.mesa_models import build_model, import_model
from sim.model.batch_engine import simulate_batch
from sim.model.world import compile_world
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


def run_model_one(chunk: Chunk, seed: int) -> tuple[pd.DataFrame, None]:
    """One run of a generic Mesa model: build, step, collect."""
    spec = chunk.model
    model = build_model(import_model(spec.target), dict(spec.parameters), seed)
    steps = 0
    while steps < spec.steps and getattr(model, "running", True):
        model.step()
        steps += 1
    row: dict[str, Any] = {"steps": steps}
    for name in spec.collect:
        if not hasattr(model, name):
            raise AttributeError(f"collect: {type(model).__name__} has no attribute {name!r}")
        value = getattr(model, name)
        value = value() if callable(value) else value
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, bool | int | float | str) and value is not None:
            raise TypeError(
                f"collect: expected {name} to be a number, flag or text, found "
                f"{type(value).__name__}"
            )
        row[name] = value
    return pd.DataFrame([row]), None


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
        }
    )
    table = pd.concat([ids, values], axis=1)
    return table.sort_values(["replication", "month"], kind="stable", ignore_index=True)


def failure(chunk: Chunk, replication: int, seed: int, err: BaseException) -> dict[str, Any]:
    """A failed run as plain data for the manifest."""
    return {
        "variant": chunk.variant,
        "replication": int(replication),
        "seed": int(seed),
        "error": f"{type(err).__name__}: {err}",
        "where": traceback.format_exception(err)[-2].strip() if err.__traceback__ else "",
    }


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
