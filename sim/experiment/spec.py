"""Experiment files: what to run, how often, and with which seeds.

An experiment names a scenario (by a path relative to the experiment file) and a few variants of
it (:mod:`sim.experiment.variants`: dotted-path overrides, base events removed or replaced by id,
extra dated events); it says how many replications to
run, from which master seed, over which horizon and with which engine. Alternatively it names any
Mesa model class (``model: "package.module:Class"``) with its ``parameters``, the attributes to
``collect`` at the end of a run and the number of ``steps``.

Everything is validated when the file is loaded, before anything runs: every variant's overrides
and events are applied to the scenario and checked, so a typo in a path fails in a second, not
after an hour. Every mistake raises :class:`~sim.errors.ConfigError` naming the experiment file,
the dotted field (``variants.nato_welcomes.overrides.patrons.west.endorsment``), what was
expected and what was found.

Examples
--------
>>> from sim.scenario.shipped import ROOT
>>> experiment = load_experiment(ROOT / "experiments" / "bulgaria_question.yaml")
>>> experiment.variant_names[0], experiment.baseline
('baseline', 'baseline')
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import Field, PrivateAttr, ValidationError

from sim.errors import AllianceSimError, ConfigError, InputFileNotFoundError
from sim.experiment.design import Sweep, check_sweep, design_points
from sim.experiment.figures import FIGURES
from sim.experiment.mesa_models import accepted_parameters, check_model, parameter_defaults
from sim.experiment.seeds import run_seeds, stream_seed
from sim.experiment.targets import months_within_horizon, years_within_horizon
from sim.experiment.variants import Variant, check_model_variants, variant_scenario
from sim.scenario.loading import read_scenario_data, scenario_from_dict
from sim.scenario.overrides import expand_path, resolve_path
from sim.scenario.reading import read_yaml, validation_error
from sim.scenario.schema import MAX_STEP, Frozen, Scenario

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
MODEL_PATTERN = r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"
SERIES_EVERY = {"none": None, "monthly": 1, "yearly": 12}


class NotAFileError(AllianceSimError, IsADirectoryError):
    """A directory was given where an experiment file was expected."""


FigureName = Literal[tuple(FIGURES)]  # an unknown name is refused when the file is loaded


class Outputs(Frozen):
    """What to store besides the outcome rows."""

    series: Literal["none", "monthly", "yearly"] = "none"
    # what `alliance-sim run` draws at the end: None (absent or null) every figure that applies,
    # [] none; also what `alliance-sim plot` draws without --figure (every figure for [])
    figures: list[FigureName] | None = None


class Experiment(Frozen):
    """A validated experiment; build it with :func:`load_experiment`.

    ``scenario`` holds the resolved (absolute) path and ``engine`` is ``batch`` or ``mesa`` for
    scenario experiments; generic Mesa model experiments have no engine (see :attr:`runs_on`).
    """

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    description: str = ""
    scenario: str | None = None
    model: Annotated[str, Field(pattern=MODEL_PATTERN)] | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    collect: list[str] = Field(default_factory=list)
    steps: Annotated[int, Field(ge=1)] = 100
    variants: dict[Annotated[str, Field(pattern=NAME_PATTERN)], Variant] = Field(
        default_factory=dict
    )
    replications: Annotated[int, Field(ge=1)] = 1000
    seed: Annotated[int, Field(ge=0)] = 0
    months: Annotated[int, Field(ge=1, le=MAX_STEP)] = 120
    common_random_numbers: bool = True
    engine: Literal["batch", "mesa"] | None = None
    outputs: Outputs = Outputs()
    years: list[Annotated[int, Field(ge=1)]] = Field(default_factory=lambda: [1, 5, 10])
    by: list[str] = Field(default_factory=list)  # calendar months YYYY-MM: joined by their end
    sweep: Sweep | None = None
    outcomes: dict[str, str] = Field(default_factory=dict)

    _file: str | None = PrivateAttr(default=None)

    @property
    def file(self) -> str | None:
        """The experiment file this was loaded from (None if built in Python)."""
        return self._file

    @property
    def variant_names(self) -> list[str]:
        """Variant names in file order; an experiment without variants has one, ``baseline``."""
        return list(self.variants) or ["baseline"]

    @property
    def baseline(self) -> str:
        """The variant named ``baseline`` if there is one, else the first."""
        names = self.variant_names
        return "baseline" if "baseline" in names else names[0]

    def variant(self, name: str) -> Variant:
        return self.variants.get(name, Variant())

    @property
    def runs_on(self) -> str:
        """``batch`` or ``mesa`` for scenario experiments, ``model`` for generic Mesa models."""
        return "model" if self.model is not None else self.engine or "batch"

    @property
    def series_every(self) -> int | None:
        """Months between recorded trajectory points (None: no trajectories)."""
        return SERIES_EVERY[self.outputs.series]

    def seeds(self, variant_index: int, replications: range, design_id: int = 0) -> list[int]:
        """The seeds of some replications of a variant and design point (ARCHITECTURE.md
        section 4).

        Replication k uses ``run_seed(seed, k)`` in every variant and design point (common
        random numbers), or ``run_seed(seed, k, design_point=variant_index * P + design_id)``
        (P design points; 1 without a sweep) when common random numbers are off.
        """
        point = None if self.common_random_numbers else variant_index * self.points + design_id
        return [int(s) for s in run_seeds(self.seed, replications, point)]

    @cached_property
    def design(self) -> pd.DataFrame | None:
        """The sweep's points (row d is ``design_id`` d), or None without a sweep."""
        return experiment_design(self)

    @property
    def points(self) -> int:
        """Design points per variant (1 without a sweep)."""
        return 1 if self.design is None else len(self.design)

    @property
    def runs_per_variant(self) -> int:
        """Replications × design points."""
        return self.replications * self.points

    @cached_property
    def scenarios(self) -> dict[str, Scenario]:
        """The validated scenario of every variant, in variant order (scenario experiments)."""
        if self.scenario is None:
            return {}
        base = read_scenario_data(self.scenario)
        scenario_from_dict(base, file=self.scenario)  # the scenario's own mistakes
        return {
            name: variant_scenario(
                base, self.variant(name), name, file=self.file, scenario_file=self.scenario
            )
            for name in self.variant_names
        }

    def point_scenario(self, base: dict[str, Any], name: str, design_id: int) -> Scenario:
        """The validated scenario of a variant at one design point (its values added to the
        variant's overrides; ``base`` is the scenario file's data).

        Raises
        ------
        ConfigError
            Naming ``sweep.points.<d>.<path>`` when the point's value does not fit.
        """
        values = {k: v.item() if hasattr(v, "item") else v
                  for k, v in self.design.iloc[design_id].items()}  # fmt: skip
        variant = self.variant(name)
        merged = variant.model_copy(update={"overrides": {**variant.overrides, **values}})
        try:
            return variant_scenario(base, merged, name, file=self.file, scenario_file=self.scenario)
        except ConfigError as err:
            path = err.field.removeprefix(f"variants.{name}.overrides.")
            if path not in values:
                raise
            where = f"sweep.points.{design_id}.{path}"
            if len(self.variant_names) > 1:
                where = f"variants.{name} at {where}"
            raise ConfigError(self.file, where, err.expected, err.found) from None

    def parameters_for(self, name: str) -> dict[str, Any]:
        """The model parameters of a variant (generic model experiments)."""
        return {**self.parameters, **self.variant(name).overrides}


def load_experiment(
    path: str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    engine: str | None = None,
    months: int | None = None,
) -> Experiment:
    """Load and validate an experiment file, optionally overriding some of its settings.

    Parameters
    ----------
    path : str or Path
        The experiment YAML file.
    replications, seed, engine, months : optional, keyword-only
        Replace the file's values (as the ``alliance-sim run`` flags do); None keeps them. A
        shorter ``months`` also drops the file's ``years`` that end after it.

    Returns
    -------
    Experiment
        With the scenario path resolved and every variant checked against the scenario.

    Raises
    ------
    ConfigError
        If a key is unknown, a value is invalid, a year in ``years`` ends after the horizon, a
        variant's override path or event does not fit the scenario, or (model experiments) the
        model lacks an attribute named in ``collect``.
    InputFileNotFoundError
        If the experiment or its scenario file does not exist.
    NotAFileError
        If ``path`` is a directory.
    """
    path = Path(path)
    if path.is_dir():
        raise NotAFileError(f"{path}: is a directory, expected an experiment YAML file")
    data = read_yaml(path)
    changes = {"replications": replications, "seed": seed, "engine": engine, "months": months}
    data = {**data, **{key: value for key, value in changes.items() if value is not None}}
    if months is not None and isinstance(data.get("years"), list):  # a shorter trial horizon
        data["years"] = [y for y in data["years"] if not isinstance(y, int) or 12 * y <= months]
    return experiment_from_dict(data, file=path, trim_targets=months is not None)


def experiment_from_dict(
    data: dict[str, Any], *, file: str | Path | None = None, trim_targets: bool = False
) -> Experiment:
    """Validate an experiment given as a mapping; relative paths are relative to ``file``.

    ``trim_targets`` drops the ``by`` months after the horizon instead of refusing them (a
    shorter trial horizon given to :func:`load_experiment`).
    """
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as err:
        raise validation_error(err, file) from None
    folder = Path(file).parent if file is not None else Path.cwd()
    updates: dict[str, Any] = {}
    if experiment.model is not None:
        if experiment.scenario is not None:
            raise ConfigError(file, "scenario", "either scenario or model, not both", "both")
        if experiment.engine is not None:
            raise ConfigError(file, "engine", "no engine for a model: experiment (it runs the "
                              "Mesa model one run at a time)", experiment.engine)  # fmt: skip
    else:
        if experiment.scenario is None:
            raise ConfigError(file, "scenario", "a scenario file (or a model: module:Class)",
                              "nothing")  # fmt: skip
        scenario_path = (folder / experiment.scenario).resolve()
        if not scenario_path.is_file():
            raise InputFileNotFoundError(scenario_path, referenced_from=file)
        updates.update(scenario=str(scenario_path), engine=experiment.engine or "batch")
        given = "years" in experiment.model_fields_set
        updates["years"] = years_within_horizon(
            experiment.years, experiment.months, file, given=given
        )
    experiment = experiment.model_copy(update=updates)
    experiment._file = None if file is None else str(Path(file).resolve())
    if experiment.sweep is not None:
        check_sweep(experiment.sweep, file)
    if experiment.model is not None:
        check_model(experiment.model, experiment.parameters, experiment.collect,
                    experiment.steps, file)  # fmt: skip
        check_model_variants(experiment.model, experiment.parameters, experiment.collect,
                             experiment.steps, experiment.variants, file)  # fmt: skip
        if experiment.by:
            raise ConfigError(file, "by", "no calendar months for a model: experiment (use "
                              "collect)", experiment.by)  # fmt: skip
    else:
        experiment.scenarios  # noqa: B018 -- validates every variant now, before anything runs
        starts = [scenario.start for scenario in experiment.scenarios.values()]
        by = months_within_horizon(experiment.by, starts, experiment.months, file,
                                   trim=trim_targets)  # fmt: skip
        experiment = experiment.model_copy(update={"by": by})
    if experiment.sweep is not None:
        check_points(experiment)
    return experiment


def check_points(experiment: Experiment) -> None:
    """Check every design point of every variant before anything runs.

    Raises
    ------
    ConfigError
        Naming the point and the field (``sweep.points.17.patrons.russia.support``), or the
        swept parameter a generic model does not take.
    """
    if experiment.model is not None:
        check_model_sweep(experiment)
        return
    base = read_scenario_data(experiment.scenario)
    for name in experiment.variant_names:
        for design_id in range(experiment.points):
            experiment.point_scenario(base, name, design_id)


def experiment_design(experiment: Experiment) -> pd.DataFrame | None:
    """The points of an experiment's sweep (None without one); the seed of random designs is
    the master seed's ``design`` stream."""
    sweep = experiment.sweep
    if sweep is None:
        return None
    folder = Path(experiment.file).parent if experiment.file else Path.cwd()
    defaults = sweep_defaults(experiment) if sweep.type == "oat" else None
    seed = stream_seed(experiment.seed, "design")
    return design_points(sweep, seed=seed, defaults=defaults, folder=folder)


def sweep_defaults(experiment: Experiment) -> dict[str, Any]:
    """The swept parameters' values without the sweep (the baseline variant's)."""
    names = experiment.sweep.names
    if experiment.model is not None:  # the parameters: given, else the model's own defaults
        values = {**parameter_defaults(experiment.model),
                  **experiment.parameters_for(experiment.baseline)}  # fmt: skip
        for name in names:
            if name not in values:
                raise ConfigError(experiment.file, f"sweep.parameters.{name}",
                                  "a value in parameters: (the centre of a one-at-a-time design; "
                                  f"{experiment.model} has no default for it)", "none")  # fmt: skip
        return {name: values[name] for name in names}
    scenario = experiment.scenarios[experiment.baseline]
    values = scenario.model_dump()
    defaults = {}
    for name in names:
        where = f"sweep.parameters.{name}"
        try:
            # a group path (countries.@nato.domestic_cost) has a default only if its members
            # share one value: no single value of the sweep reproduces the scenario otherwise
            paths = expand_path(name, scenario.groups)
            found = {path: resolve_path(values, path) for path in paths}
        except KeyError:
            raise ConfigError(experiment.file, where, "an existing numeric parameter path",
                              name) from None  # fmt: skip
        if len(set(found.values())) > 1:
            shown = ", ".join(f"{path} {value:g}" for path, value in list(found.items())[:4])
            raise ConfigError(experiment.file, where, "a group whose members have one value, "
                              "the default of a one-at-a-time sweep", shown)  # fmt: skip
        defaults[name] = next(iter(found.values()))
    return defaults


def check_model_sweep(experiment: Experiment) -> None:
    """A generic model's swept parameters must be ones its constructor (or function) takes."""
    known = accepted_parameters(experiment.model)
    names = list(experiment.design.columns)
    for name in names:
        if known is not None and name not in known:
            where = "sweep.parameters" if experiment.sweep.type != "table" else "sweep.file"
            expected = f"a parameter of {experiment.model} {sorted(known)}"
            raise ConfigError(experiment.file, f"{where}.{name}", expected, name)
