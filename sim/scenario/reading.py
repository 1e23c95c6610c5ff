"""Reading scenario and experiment files: safe YAML, and validation errors in plain words.

Every user mistake raises :class:`~sim.errors.ConfigError` naming the file, the field path, what
was expected and what was found.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import ConfigError, InputFileNotFoundError


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping with a safe loader; a clear error if it is missing or malformed."""
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(path, where, "well-formed YAML", problem) from None
    if not isinstance(data, dict):
        raise ConfigError(path, "(top level)", "a mapping of keys to values", data)
    found = non_finite(data)
    if found is not None:
        raise ConfigError(path, found[0], "a finite number", found[1])
    return data


def non_finite(data: Any, prefix: str = "") -> tuple[str, float] | None:
    """The dotted path and value of the first NaN or infinite number in ``data`` (None if none).

    YAML reads ``.inf``, ``.nan`` and numbers too large for a float (``1e400``) as such; no value
    of a scenario or experiment may be one (quoted ones are refused by the schema).
    """
    if isinstance(data, float):
        return None if math.isfinite(data) else (prefix or "(top level)", data)
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return None
    for key, value in items:
        found = non_finite(value, f"{prefix}.{key}" if prefix else str(key))
        if found is not None:
            return found
    return None


BOUNDS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
PLAIN_TYPES = {
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
}


def plain_expectation(error: dict[str, Any]) -> str:
    """What a pydantic error expected, in plain words (e.g. ``a number ≤ 1``)."""
    kind, context = error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        return "no such key (check the spelling; see docs/configuration.md)"
    if kind == "missing":
        return "this required field"
    for key, sign in BOUNDS.items():
        if key in context and kind.startswith(("greater_than", "less_than")):
            bound = context[key]
            return (
                f"a number {sign} {bound:g}"
                if isinstance(bound, float)
                else f"a number {sign} {bound}"
            )
    if kind in PLAIN_TYPES:
        return PLAIN_TYPES[kind]
    if kind == "string_pattern_mismatch":
        return "a name of letters, digits and _ starting with a letter"
    if kind == "literal_error":
        return f"one of {context.get('expected', '')}"
    if kind == "too_short":
        return f"at least {context.get('min_length')} items"
    if kind == "too_long":
        return f"at most {context.get('max_length')} items"
    if kind == "union_tag_invalid":
        return f"a type among {context.get('expected_tags', '')}"
    return error["msg"].removeprefix("Value error, ")


def validation_error(err: ValidationError, file: str | Path | None) -> ConfigError:
    """Turn pydantic's first error into a ConfigError naming the dotted field path."""
    first = err.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    found = "nothing" if first["type"] == "missing" else first.get("input")
    return ConfigError(file, field, plain_expectation(first), found)
