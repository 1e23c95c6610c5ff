"""Read a landscape from a landscape YAML file, a CSV matrix or a scenario.

Three inputs give the actors, sizes and propensities of :mod:`sim.landscape.energy`:

* a **landscape file** (YAML with an ``actors:`` key)::

      actors: {US: 10, Russia: 10, Syria: 50}      # name: size (> 0)
      propensities:                                 # symmetric: one direction is enough
        US: {Russia: -1, Syria: -1}                 # unlisted pairs are 0
        Russia: {Syria: 1}

* a **CSV matrix** (``.csv``): a first column of actor names, a ``size`` column and one column
  per actor; an empty cell is "not given" (the other direction, or 0);
* a **scenario** (YAML with a ``countries:`` key): sizes s_i = c_i / sum c from capability and
  propensities p_ij = p0_ij + w_align (1 - |a_i - a_j|) - w_tension T_ij (MODEL.md section 3) at
  the scenario's start, or after ``month`` simulated months of a seeded run; with the blocs to
  compare with the landscape's minima.

Every user mistake raises :class:`~sim.errors.ConfigError` naming the file and the field.

References
----------
Axelrod & Bennett (1993) BJPolS 23(2): sizes and propensities as the theory's inputs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from sim.errors import ConfigError, InputFileNotFoundError
from sim.landscape.energy import Landscape
from sim.landscape.files import landscape_from_dict, read_matrix_csv
from sim.model import dynamics
from sim.model.mesa_engine import AllianceModel
from sim.model.world import World, compile_world
from sim.scenario.calendar import month_to_step, parse_month, step_to_month
from sim.scenario.loading import load_scenario
from sim.scenario.reading import read_yaml
from sim.scenario.schema import Scenario

SIMULATION_HORIZON = 120  # months: the default of `alliance-sim simulate`, so seeds replay it


@dataclass(frozen=True)
class BlocSet:
    """Blocs to hold against the landscape: where they come from, and name -> member codes."""

    label: str
    blocs: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class LandscapeInput:
    """A loaded landscape and where it came from.

    The other fields are set for scenarios only: ``step`` and ``month``, the model step and
    calendar month at whose start the propensities are taken; ``seed``, the seed of the simulated
    run; ``simulated``, whether the propensities come from that run (``--month``) rather than the
    scenario's start; ``bloc_sets``, the blocs to compare with the landscape's minima;
    ``overrides``, the dotted-path values changed from the file; ``terms``, the parts of the
    propensity (P1) that add up to it (affinity, alignment similarity, tension), at the start.
    """

    landscape: Landscape
    kind: Literal["landscape", "matrix", "scenario"]
    path: Path
    name: str = ""
    step: int | None = None
    month: str | None = None
    seed: int | None = None
    simulated: bool = False
    bloc_sets: tuple[BlocSet, ...] = ()
    overrides: dict[str, float] = dataclasses.field(default_factory=dict)
    terms: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)


def load_landscape(
    path: str | Path,
    *,
    month: int | str | None = None,
    overrides: dict[str, float] | None = None,
    seed: int | None = None,
) -> LandscapeInput:
    """Load a landscape file, a CSV matrix or a scenario, detected from the file.

    Parameters
    ----------
    path : str or Path
        ``.csv`` for a matrix; otherwise YAML with ``actors:`` (landscape) or ``countries:`` or
        ``extends:`` (scenario).
    month : int or str, optional
        Scenarios only: take the propensities after this many simulated months (a step number,
        or a ``YYYY-MM`` month counted from the scenario's start). ``None``: at the start.
    overrides : dict, optional
        Scenarios: dotted paths to new values (see :func:`sim.scenario.overrides.apply_overrides`),
        e.g. ``{"dynamics.propensity.alignment_weight": 0.0}``.
    seed : int, optional
        Scenarios: seed of the simulated run. ``None`` draws one, recorded in the result.

    Returns
    -------
    LandscapeInput

    Raises
    ------
    ConfigError
        If the file is malformed (unknown names, asymmetric propensities, non-positive sizes),
        or ``month`` or ``overrides`` are given for a file that is not a scenario.
    InputFileNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(path)
    if path.suffix.lower() == ".csv":
        kind, data = "matrix", None
    else:
        data = read_yaml(path)
        if "countries" in data or "extends" in data:  # a scenario or a variant of one
            kind = "scenario"
        elif "actors" in data:
            kind = "landscape"
        else:
            raise ConfigError(
                path,
                "(top level)",
                "a landscape file (with actors:) or a scenario (with countries: or extends:)",
                sorted(map(str, data)),
            )
    if kind != "scenario" and month is not None:
        raise ConfigError(
            path, "--month", "a scenario file (this file's propensities are fixed)", month
        )
    if kind != "scenario" and overrides:
        raise ConfigError(path, "--set", "a scenario file (edit this file instead)", overrides)
    if kind == "matrix":
        return LandscapeInput(read_matrix_csv(path), "matrix", path, name=path.stem)
    if kind == "landscape":
        return LandscapeInput(
            landscape_from_dict(data, file=path),
            "landscape",
            path,
            name=str(data.get("name", path.stem)),
        )
    return scenario_landscape(path, month=month, overrides=overrides, seed=seed)


# --- scenarios ------------------------------------------------------------------------------------


def scenario_landscape(
    path: str | Path,
    *,
    month: int | str | None = None,
    overrides: dict[str, float] | None = None,
    seed: int | None = None,
    horizon: int = SIMULATION_HORIZON,
) -> LandscapeInput:
    """Sizes and propensities of a scenario, at its start or after ``month`` simulated months.

    Sizes are s_i = c_i / sum c (they do not change during a run). At the start (``month`` is
    ``None``) the propensities come from :func:`sim.model.dynamics.propensity` (MODEL.md section 3)
    and two sets of blocs are recorded for comparison: the scenario's, and those at the end of a
    simulated run of ``horizon`` months. Otherwise ``AllianceModel(scenario, rng=seed)`` is stepped
    ``month`` times and its ``propensity_now()`` and ``final_blocs()`` are used. ``overrides``
    change scenario values by dotted path before anything is computed.

    The model draws its random numbers for the whole horizon up front, so a run is built for
    ``max(horizon, month)`` months: with the default horizon (that of ``alliance-sim simulate``)
    the same seed gives the same history as ``alliance-sim simulate --seed``.

    Raises
    ------
    ConfigError
        If the scenario is invalid, or ``month`` is negative or not a step number or ``YYYY-MM``.
    """
    scenario = load_scenario(path, overrides=overrides)
    world = compile_world(scenario)
    codes = tuple(world.codes)
    sizes = dynamics.sizes(world.capability)[0]
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (1 << 63))
    if month is None:
        propensity = dynamics.propensity(
            world.affinity,
            world.alignment,
            world.tension,
            world.params["propensity.alignment_weight"],
            world.params["propensity.tension_weight"],
            world.params["propensity.similarity_range"],
        )[0]
        terms = propensity_terms(world)
        model = AllianceModel(scenario, months=horizon, rng=seed)
        model.run()
        bloc_sets = (
            BlocSet(f"scenario at {scenario.start}", scenario_blocs(scenario)),
            BlocSet(run_label(horizon, scenario.start, seed), model_blocs(model)),
        )
        step, simulated = 0, False
    else:
        step = month_step(month, start=scenario.start, file=path)
        model = AllianceModel(scenario, months=max(horizon, step, 1), rng=seed)
        for _ in range(step):
            model.step()
        propensity = np.asarray(model.propensity_now(), dtype=float)
        propensity = (propensity + propensity.T) / 2.0  # exact: the model keeps it symmetric
        bloc_sets = (BlocSet(run_label(step, scenario.start, seed), model_blocs(model)),)
        simulated = True
        terms = {}
    return LandscapeInput(
        Landscape(codes, sizes, propensity),
        "scenario",
        Path(path),
        name=scenario.name,
        step=step,
        month=step_to_month(step, start=scenario.start),
        seed=seed,
        simulated=simulated,
        bloc_sets=bloc_sets,
        overrides=dict(overrides or {}),
        terms=terms,
    )


def propensity_terms(world: World) -> dict[str, np.ndarray]:
    """The three parts of the start propensity (P1), each (n, n) with a zero diagonal."""
    p = world.params
    zeros = np.zeros_like(world.affinity)
    similarity = dynamics.propensity(
        zeros, world.alignment, zeros, p["propensity.alignment_weight"], 0.0,
        p["propensity.similarity_range"],
    )[0]  # fmt: skip
    affinity = world.affinity[0].copy()
    tension = -p["propensity.tension_weight"][0] * world.tension[0]
    np.fill_diagonal(tension, 0.0)
    return {"affinity": affinity, "alignment similarity": similarity, "tension": tension}


def run_label(months: int, start: str, seed: int) -> str:
    """How far a simulated run went, e.g. ``'simulated to the end of 2035-02, seed 7'``.

    Examples
    --------
    >>> run_label(120, "2025-03", 7), run_label(0, "2025-03", 7)
    ('simulated to the end of 2035-02, seed 7', 'simulated, start 2025-03, seed 7')
    """
    if months == 0:
        return f"simulated, start {start}, seed {seed}"
    return f"simulated to the end of {step_to_month(months - 1, start=start)}, seed {seed}"


def scenario_blocs(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """The scenario's blocs at its start: name -> member codes."""
    return {name: tuple(bloc.members) for name, bloc in scenario.blocs.items()}


def model_blocs(model: AllianceModel) -> dict[str, tuple[str, ...]]:
    """A model's current blocs: name -> member codes."""
    return {name: tuple(members) for name, members in model.final_blocs().items()}


def month_step(month: int | str, *, start: str, file: str | Path | None = None) -> int:
    """A step number from ``month``: an integer (or its text) or a ``YYYY-MM`` month.

    Examples
    --------
    >>> month_step("2026-02", start="2025-03"), month_step("11", start="2025-03")
    (11, 11)
    """
    text = str(month).strip()
    if text.isdigit():
        return int(text)
    try:
        parse_month(text)
    except ValueError:
        raise ConfigError(file, "--month", "a step number or a month YYYY-MM", month) from None
    step = month_to_step(text, start=start)
    if step < 0:
        raise ConfigError(file, "--month", f"a month not before the start {start}", month)
    return step
