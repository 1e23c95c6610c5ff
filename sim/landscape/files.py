"""The two file formats of a landscape: a landscape YAML file and a CSV matrix.

* a **landscape file** (YAML with an ``actors:`` key)::

      actors: {US: 10, Russia: 10, Syria: 50}      # name: size (> 0)
      propensities:                                 # symmetric: one direction is enough
        US: {Russia: -1, Syria: -1}                 # unlisted pairs are 0
        Russia: {Syria: 1}

* a **CSV matrix** (``.csv``): a first column of actor names, a ``size`` column and one column
  per actor; an empty cell is "not given" (the other direction, or 0).

Every user mistake raises :class:`~sim.errors.ConfigError` naming the file and the field.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ConfigError, InputFileNotFoundError
from sim.landscape.energy import Landscape

LANDSCAPE_KEYS = ("actors", "propensities", "name", "description")


def landscape_from_dict(data: dict[str, Any], *, file: str | Path | None = None) -> Landscape:
    """Validate a landscape mapping (as read from YAML) into a :class:`Landscape`.

    Raises
    ------
    ConfigError
        With the field path: ``actors.NAME`` for a bad name or size, ``propensities.A.B`` for an
        unknown name, a non-number, a self-pair or two directions that disagree.
    """
    for key in data:
        if key not in LANDSCAPE_KEYS:
            raise ConfigError(file, str(key), f"one of the keys {list(LANDSCAPE_KEYS)}", key)
    actors = data.get("actors")
    if not isinstance(actors, dict) or len(actors) < 2:
        raise ConfigError(file, "actors", "a mapping of at least two names to sizes", actors)
    for name, size in actors.items():
        check_name(name, f"actors.{name}", file)
        if not is_number(size) or size <= 0:
            raise ConfigError(file, f"actors.{name}", "a positive size", size)
    names = list(actors)
    index = {name: i for i, name in enumerate(names)}
    propensity = np.zeros((len(names), len(names)))
    given = np.zeros_like(propensity, dtype=bool)
    table = data.get("propensities") or {}
    if not isinstance(table, dict):
        raise ConfigError(file, "propensities", "a mapping NAME: {OTHER: value}", table)
    for first, row in table.items():
        where = f"propensities.{first}"
        if first not in index:
            raise ConfigError(file, where, f"an actor listed under actors {names}", first)
        if not isinstance(row, dict):
            raise ConfigError(file, where, "a mapping OTHER: value", row)
        for second, value in row.items():
            field = f"{where}.{second}"
            if second not in index:
                raise ConfigError(file, field, f"an actor listed under actors {names}", second)
            if second == first:
                raise ConfigError(file, field, "another actor (p_ii is 0 by definition)", value)
            if not is_number(value):
                raise ConfigError(file, field, "a finite number", value)
            set_symmetric(
                propensity,
                given,
                index[first],
                index[second],
                float(value),
                file=file,
                field=field,
                other=f"propensities.{second}.{first}",
            )
    sizes = np.array([float(actors[name]) for name in names])
    return Landscape(tuple(names), sizes, propensity)


def check_name(name: object, field: str, file: str | Path | None) -> None:
    """An actor name must be text (YAML reads ``NO`` as false and ``1`` as a number)."""
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            file, field, "an actor name as text (quote names YAML reads otherwise, e.g. 'NO')", name
        )


def is_number(value: object) -> bool:
    """A finite int or float, not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def set_symmetric(
    propensity: np.ndarray,
    given: np.ndarray,
    i: int,
    j: int,
    value: float,
    *,
    file: str | Path | None,
    field: str,
    other: str,
) -> None:
    """Set p_ij = p_ji = value; an error if the other direction was given with another value."""
    if given[j, i] and propensity[j, i] != value:
        raise ConfigError(
            file,
            field,
            f"the same value as {other} ({propensity[j, i]:g}): propensities are symmetric",
            value,
        )
    propensity[i, j] = propensity[j, i] = value
    given[i, j] = True


# --- CSV matrix -----------------------------------------------------------------------------------


def read_matrix_csv(path: str | Path) -> Landscape:
    """Read a CSV propensity matrix with a ``size`` column.

    The first column names the actors; the header holds ``size`` and one column per actor (any
    order). Cells are propensities from the row's actor to the column's; an empty cell is not
    given (the other direction's value, or 0). Fields are named ``ROW.COLUMN``.

    Raises
    ------
    ConfigError
        If the header lacks ``size`` or an actor's column, names an unknown actor, a size is not
        positive, a cell is not a number, the diagonal is not 0 or the two directions disagree.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    if len(rows) < 3:
        raise ConfigError(path, "(rows)", "a header and at least two actor rows", len(rows))
    header = [cell.strip() for cell in rows[0]]
    names = [row[0].strip() for row in rows[1:]]
    for k, name in enumerate(names):
        if not name:
            raise ConfigError(path, f"(row {k + 2})", "an actor name in the first column", name)
        if name in names[:k]:
            raise ConfigError(path, name, "each actor in one row", f"a second row for {name}")
    if "size" not in header[1:]:
        raise ConfigError(path, "size", "a size column", header)
    columns = {name: k for k, name in enumerate(header) if k > 0 and name != "size"}
    for name in columns:
        if name not in names:
            raise ConfigError(path, f"columns.{name}", f"an actor with a row {names}", name)
    for name in names:
        if name not in columns:
            raise ConfigError(path, f"columns.{name}", "a column for every actor", "no column")
    index = {name: i for i, name in enumerate(names)}
    size_column = header.index("size")
    n = len(names)
    sizes = np.empty(n)
    propensity = np.zeros((n, n))
    given = np.zeros((n, n), dtype=bool)
    for row, first in zip(rows[1:], names, strict=True):
        cells = row + [""] * (len(header) - len(row))
        size = number(cells[size_column], path, f"{first}.size")
        if size is None or size <= 0:
            raise ConfigError(path, f"{first}.size", "a positive size", cells[size_column])
        sizes[index[first]] = size
        for second, k in columns.items():
            field = f"{first}.{second}"
            value = number(cells[k], path, field)
            if value is None:
                continue
            if second == first:
                if value != 0:
                    raise ConfigError(path, field, "0 or empty (p_ii is 0 by definition)", value)
                continue
            set_symmetric(
                propensity,
                given,
                index[first],
                index[second],
                value,
                file=path,
                field=field,
                other=f"{second}.{first}",
            )
    return Landscape(tuple(names), sizes, propensity)


def number(cell: str, file: Path, field: str) -> float | None:
    """A CSV cell as a finite float; ``None`` when empty."""
    text = cell.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(file, field, "a number", text) from None
    if not math.isfinite(value):
        raise ConfigError(file, field, "a finite number", text)
    return value
