"""A sweep inside an experiment: its design, and the chunks of runs of its points.

Within a variant, the runs of a sweep are numbered point by point: run ``i`` is replication
``i % R`` of design point ``i // R`` (R replications per point). The manifest cuts that range
into tasks like the replications of a variant without a sweep, so a task may span several
points; its chunk then holds one sub-chunk per point (:attr:`Chunk.points`), each with the
point's scenario (or model parameters), swept values and seeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.experiment.chunks import Chunk, ModelSpec
from sim.experiment.store import ResultsFolder, ResultsFolderError, write_part
from sim.scenario.loading import read_scenario_data

if TYPE_CHECKING:
    from sim.experiment.spec import Experiment


def base_scenario_data(experiment: Experiment) -> dict[str, Any]:
    return read_scenario_data(experiment.scenario)


def sweep_chunk(experiment: Experiment, entry: dict[str, Any]) -> Chunk:
    """The chunk of a manifest entry of a sweep: runs ``start .. stop - 1`` of its variant,
    as one sub-chunk per design point they touch."""
    name, index = entry["variant"], entry["variant_index"]
    replications = experiment.replications
    design = experiment.design
    base = base_scenario_data(experiment) if experiment.model is None else None
    parts, seeds = [], []
    start, stop = entry["start"], entry["stop"]
    for point in range(start // replications, (stop - 1) // replications + 1):
        first = max(start, point * replications) - point * replications
        last = min(stop, (point + 1) * replications) - point * replications
        values = design.iloc[point].to_dict()
        point_seeds = experiment.seeds(index, range(first, last), point)
        seeds += point_seeds
        parts.append(Chunk(
            variant=name, start=first, stop=last, seeds=tuple(point_seeds),
            engine=experiment.runs_on, months=experiment.months,
            series_every=experiment.series_every,
            scenario=None if base is None else experiment.point_scenario(base, name, point),
            model=None if base is not None else ModelSpec(
                experiment.model, {**experiment.parameters_for(name), **values},
                tuple(experiment.collect), experiment.steps,
            ),
            design_id=point, values=tuple((k, plain(v)) for k, v in values.items()),
        ))  # fmt: skip
    return Chunk(
        variant=name, start=start, stop=stop, seeds=tuple(seeds), engine=experiment.runs_on,
        months=experiment.months, series_every=experiment.series_every, points=tuple(parts),
    )  # fmt: skip


def plain(value: Any) -> Any:
    """A NumPy scalar as the Python value (for pydantic and Parquet)."""
    return value.item() if hasattr(value, "item") else value


DESIGN = "design.parquet"


def design_table(experiment: Experiment) -> pd.DataFrame:
    """The design as stored: ``design_id`` and one column per swept parameter."""
    table = experiment.design.copy()
    table.insert(0, "design_id", range(len(table)))
    return table


def check_design(folder: ResultsFolder, experiment: Experiment) -> None:
    """Refuse to resume a sweep whose design is not the one the folder was run with (a table
    design's CSV edited since, say).

    Raises
    ------
    ResultsFolderError
        If the folder's ``design.parquet`` holds other points.
    """
    path = folder.path / DESIGN
    if experiment.sweep is None or not path.is_file():
        return
    stored = pd.read_parquet(path)
    if not stored.equals(design_table(experiment)):
        raise ResultsFolderError(
            f"{folder.path} was run with another design ({DESIGN} differs: "
            f"{len(stored)} points then, {experiment.points} now); resuming would mix results: "
            "use another --out"
        )


def write_design(folder: ResultsFolder, experiment: Experiment) -> None:
    """Write ``design.parquet`` (atomically) if the experiment has a sweep and it is absent."""
    path = folder.path / DESIGN
    if experiment.sweep is not None and not path.is_file():
        write_part(design_table(experiment), path)
