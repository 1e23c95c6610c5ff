"""Designs of a parameter sweep: which points of parameter space to run.

An experiment's ``sweep:`` names parameters by dotted path (``patrons.russia.support``,
``dynamics.tension.decay``, ``relations.SRB-XKX.tension``, or a generic model's constructor
argument such as ``width``) and a design type:

- ``grid``: every combination of the values given per parameter (a list, or ``{low, high,
  steps}`` for evenly spaced values), the full factorial;
- ``lhs``: a Latin hypercube of ``samples`` points within ``{low, high}`` bounds
  (:class:`scipy.stats.qmc.LatinHypercube`);
- ``sobol``: Saltelli's extension of the Sobol' sequence (SALib, on
  :class:`scipy.stats.qmc.Sobol`): ``samples`` × (D + 2) points, or × (2D + 2) with
  ``second_order``, the design that Sobol' indices are estimated from;
- ``morris``: ``samples`` Morris trajectories of D + 1 points on a ``levels``-level grid (SALib);
- ``oat``: one at a time: the defaults, then each parameter over ``{low, high, steps}`` with the
  others at their defaults;
- ``table``: the rows of a CSV file whose columns are parameter paths.

Random designs draw from their own seed, derived from the experiment's master seed
(:func:`sim.experiment.seeds.stream_seed`), so the same experiment file gives the same design.
Point ``d`` of the design is ``design_id`` d in the runs table.

Examples
--------
>>> sweep = Sweep(type="grid", parameters={"a": [1, 2], "b": Bounds(low=0, high=1, steps=3)})
>>> design_points(sweep, seed=1).to_dict("list")
{'a': [1, 1, 1, 2, 2, 2], 'b': [0.0, 0.5, 1.0, 0.0, 0.5, 1.0]}
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator
from scipy.stats import qmc

from sim.errors import AllianceSimError, ConfigError, InputFileNotFoundError
from sim.scenario.schema import Frozen

DESIGN_TYPES = ("grid", "lhs", "sobol", "morris", "oat", "table")
Value = bool | int | float | str


class MissingExtraError(AllianceSimError, ImportError):
    """An optional dependency (the ``analysis`` extra) is not installed."""

    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs {package}, which is not installed; install the analysis extra: "
            "pip install 'alliance-sim[analysis]'"
        )


class Bounds(Frozen):
    """A parameter's range; ``steps`` evenly spaced values for ``grid`` and ``oat``."""

    low: float
    high: float
    steps: Annotated[int, Field(ge=2)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if not self.low < self.high:
            raise ValueError(f"low < high (found low {self.low}, high {self.high})")
        return self

    def values(self) -> list[float]:
        return [float(v) for v in np.linspace(self.low, self.high, self.steps or 2)]


class Sweep(Frozen):
    """The ``sweep:`` section of an experiment file (see the module docstring)."""

    type: Literal["grid", "lhs", "sobol", "morris", "oat", "table"]
    parameters: dict[str, list[Value] | Bounds] = Field(default_factory=dict)
    samples: Annotated[int, Field(ge=1)] | None = None
    levels: Annotated[int, Field(ge=2)] = 4
    second_order: bool = False
    file: str | None = None

    @property
    def names(self) -> list[str]:
        """The swept parameters in file order (for ``table``: set when the file is read)."""
        return list(self.parameters)

    def problem(self) -> dict[str, Any]:
        """The SALib problem: names and bounds of the parameters (a new dict every call)."""
        bounds = [[spec.low, spec.high] for spec in self.parameters.values()]  # type: ignore[union-attr]
        return {"num_vars": len(bounds), "names": self.names, "bounds": bounds}


def check_sweep(sweep: Sweep, file: str | Path | None) -> None:
    """Refuse a sweep whose parameters do not suit its type, naming the field.

    Raises
    ------
    ConfigError
        On ``sweep.parameters``, ``sweep.parameters.<path>``, ``sweep.samples`` or
        ``sweep.file``.
    """
    kind = sweep.type
    if kind == "table":
        if sweep.file is None:
            raise ConfigError(file, "sweep.file", "a CSV file of points for a table design",
                              None)  # fmt: skip
        if sweep.parameters:
            raise ConfigError(file, "sweep.parameters", "no parameters for a table design (the "
                              "CSV's columns are the parameters)", sweep.names)  # fmt: skip
        return
    if sweep.file is not None:
        raise ConfigError(file, "sweep.file", "a file only for a table design", sweep.file)
    if not sweep.parameters:
        raise ConfigError(file, "sweep.parameters", "at least one parameter path", {})
    for name, spec in sweep.parameters.items():
        where = f"sweep.parameters.{name}"
        if kind == "grid":
            if isinstance(spec, Bounds) and spec.steps is None:
                raise ConfigError(file, where, "a list of values or {low, high, steps}",
                                  spec.model_dump())  # fmt: skip
            if isinstance(spec, list) and not spec:
                raise ConfigError(file, where, "at least one value", spec)
        elif not isinstance(spec, Bounds):
            raise ConfigError(file, where, f"{{low, high}} bounds for a {kind} design", spec)
        elif kind == "oat" and spec.steps is None:
            raise ConfigError(file, where, "{low, high, steps} for a one-at-a-time design",
                              spec.model_dump())  # fmt: skip
    if kind in ("lhs", "sobol", "morris") and sweep.samples is None:
        raise ConfigError(file, "sweep.samples", f"a number of samples for a {kind} design", None)
    if kind == "sobol" and sweep.samples & (sweep.samples - 1):
        raise ConfigError(file, "sweep.samples", "a power of 2 for a sobol design (the balance "
                          "of the Sobol' sequence)", sweep.samples)  # fmt: skip


def design_points(
    sweep: Sweep,
    *,
    seed: int,
    defaults: Mapping[str, Value] | None = None,
    folder: str | Path | None = None,
) -> pd.DataFrame:
    """The points of a design, one row per point (row d is ``design_id`` d), one column per
    parameter.

    Parameters
    ----------
    sweep : Sweep
        A checked sweep (:func:`check_sweep`).
    seed : int, keyword-only
        Seed of random designs (lhs, sobol, morris); positive, so SALib uses it.
    defaults : mapping, keyword-only
        The parameters' values without the sweep (``oat`` only).
    folder : path, keyword-only
        What a ``table`` design's file is relative to.
    """
    kind = sweep.type
    if kind == "grid":
        values = [spec.values() if isinstance(spec, Bounds) else list(spec)
                  for spec in sweep.parameters.values()]  # fmt: skip
        return pd.DataFrame(list(itertools.product(*values)), columns=sweep.names)
    if kind == "table":
        return read_table(sweep.file, folder)
    if kind == "oat":
        return one_at_a_time(sweep, defaults or {})
    problem = sweep.problem()
    if kind == "lhs":
        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=np.random.default_rng(seed))
        low, high = np.array(problem["bounds"]).T
        points = qmc.scale(unit.random(sweep.samples), low, high)
    elif kind == "sobol":
        points = salib("sample.sobol").sample(copy.deepcopy(problem), sweep.samples,
                                              calc_second_order=sweep.second_order,
                                              seed=seed)  # fmt: skip
    else:
        points = salib("sample.morris").sample(copy.deepcopy(problem), sweep.samples,
                                               num_levels=sweep.levels, seed=seed)  # fmt: skip
    return pd.DataFrame(points, columns=sweep.names)


def one_at_a_time(sweep: Sweep, defaults: Mapping[str, Value]) -> pd.DataFrame:
    """The defaults, then each parameter's values with the others at their defaults."""
    centre = {name: defaults[name] for name in sweep.names}
    rows = [centre]
    for name, spec in sweep.parameters.items():
        rows += [{**centre, name: value} for value in spec.values()]  # type: ignore[union-attr]
    return pd.DataFrame(rows, columns=sweep.names)


def read_table(path: str | Path | None, folder: str | Path | None) -> pd.DataFrame:
    """The points of a ``table`` design: a CSV file, one column per parameter path.

    Raises
    ------
    InputFileNotFoundError
        If the file does not exist.
    ConfigError
        If it has no rows or a column is empty.
    """
    full = Path(folder or ".") / str(path)
    if not full.is_file():
        raise InputFileNotFoundError(full)
    table = pd.read_csv(full)
    if table.empty or not len(table.columns):
        raise ConfigError(full, "rows", "at least one point (a header of parameter paths and "
                          "one row per point)", "no rows")  # fmt: skip
    for column in table.columns:
        if table[column].isna().any():
            row = int(np.flatnonzero(table[column].isna())[0])
            raise ConfigError(full, f"{column}", "a value in every row", f"row {row + 1} empty")
    return table


def salib(module: str) -> Any:
    """``SALib.<module>``, or a clear error naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(f"SALib.{module}")
    except ImportError:
        raise MissingExtraError("SALib", f"SALib.{module}") from None
