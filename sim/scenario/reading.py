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

MAX_BYTES = 10 * 2**20  # scenario and experiment files are a few KiB
MAX_DEPTH = 50  # levels of nesting; the deepest shipped file has 5
MAX_VALUES = 100_000  # values once aliases are expanded; the largest shipped file has ~2,000


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping with a safe loader; a clear error if it is missing or malformed.

    Besides malformed YAML, the loader refuses what would make it slow or silently wrong, each
    with one line naming the file: bytes that are not UTF-8, more than ``MAX_DEPTH`` levels of
    nesting, aliases that expand to more than ``MAX_VALUES`` values (an "alias bomb"), an alias
    inside its own anchor, a key given twice in one mapping (naming both lines; YAML would
    silently keep the last), and NaN or infinite numbers (naming the field).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(path)
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise ConfigError(path, "(file)", f"a file of at most {MAX_BYTES // 2**20} MiB",
                          f"{len(raw):,} bytes")  # fmt: skip
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ConfigError(path, f"line {line}", "UTF-8 text (save the file as UTF-8)",
                          f"the byte 0x{raw[err.start]:02x}") from None  # fmt: skip
    try:
        data = load_strictly(text)
    except Refused as err:
        raise ConfigError(path, f"line {err.line}", err.expected, err.found) from None
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or getattr(err, "reason", None)
        raise ConfigError(path, yaml_error_place(err, text), "well-formed YAML",
                          problem or str(err).splitlines()[0]) from None  # fmt: skip
    if not isinstance(data, dict):
        raise ConfigError(path, "(top level)", "a mapping of keys to values", data)
    found = non_finite(data)
    if found is not None:
        raise ConfigError(path, found[0], "a finite number", found[1])
    return data


def load_strictly(text: str) -> Any:
    """The YAML document in ``text``, read by :class:`StrictLoader`."""
    loader = StrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def yaml_error_place(err: yaml.YAMLError, text: str) -> str:
    """``line L, column C`` of a YAML error, or ``(document)`` when it has no position."""
    mark = getattr(err, "problem_mark", None)
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}"
    position = getattr(err, "position", None)  # a ReaderError: a character YAML does not allow
    if isinstance(position, int):
        return f"line {text[:position].count(chr(10)) + 1}"
    return "(document)"


class Refused(Exception):
    """What the strict loader refuses, with the line it is on."""

    def __init__(self, line: int, expected: str, found: str) -> None:
        self.line, self.expected, self.found = line, expected, found
        super().__init__(f"line {line}: expected {expected}, found {found}")


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader with limits on nesting and alias expansion, and no duplicate keys.

    The composer builds each node once, and an alias is the same node again, so the size of
    every node once expanded is counted as it is built (children first); an alias to a node not
    yet finished is an alias inside its own anchor. Nesting is counted both where the scanner
    reads flow brackets (it would otherwise scan 10,000 brackets in quadratic time) and where
    the composer recurses (which would otherwise end in a RecursionError).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.sizes: dict[int, int] = {}

    def fetch_flow_collection_start(self, TokenClass) -> None:
        super().fetch_flow_collection_start(TokenClass)
        if self.flow_level > MAX_DEPTH:
            raise Refused(self.line + 1, f"at most {MAX_DEPTH} levels of nesting", "more")

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None and id(node) not in self.sizes:
                raise Refused(event.start_mark.line + 1, "no alias inside its own anchor",
                              f"*{event.anchor}")  # fmt: skip
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            line = self.peek_event().start_mark.line + 1
            raise Refused(line, f"at most {MAX_DEPTH} levels of nesting", "more")
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        children = node.value if isinstance(node, yaml.SequenceNode) else (
            [item for pair in node.value for item in pair]
            if isinstance(node, yaml.MappingNode) else [])  # fmt: skip
        size = 1 + sum(self.sizes[id(child)] for child in children)
        if size > MAX_VALUES:
            raise Refused(node.start_mark.line + 1,
                          f"at most {MAX_VALUES:,} values once aliases are expanded",
                          "more (aliases nested in aliases)")  # fmt: skip
        self.sizes[id(node)] = size
        return node

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                    key_node, yaml.ScalarNode
                ):
                    continue
                key, line = self.construct_object(key_node), key_node.start_mark.line + 1
                if key in seen:
                    raise Refused(line, f"each key once ({key!r} is first given on line "
                                  f"{seen[key]})", f"{key!r} again")  # fmt: skip
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


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


EVENT_TYPES = (
    "invite",
    "apply",
    "concession",
    "join",
    "leave",
    "form_bloc",
    "set",
    "add",
    "shock",
    "affinity",
)  # the event types of the schema, in its order (a test checks)
# how pydantic names the members of a union in a path (a bounded number is a constrained one)
UNION_MEMBERS = ("str", "int", "float", "constrained-float", "constrained-int")
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
        return f"one of {context.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return f"one of {', '.join(repr(name) for name in EVENT_TYPES)}"
    return error["msg"].removeprefix("Value error, ")


def validation_error(err: ValidationError, file: str | Path | None) -> ConfigError:
    """Turn pydantic's first error into a ConfigError naming the dotted field path.

    A field of two types (a month is ``YYYY-MM`` text or a step number) gets one error per
    type; the one that is not about the type (``a number ≤ 12000``) is the one that helps.
    """
    errors = err.errors()
    first = errors[0]
    if first["loc"] and first["loc"][-1] in UNION_MEMBERS:
        siblings = [e for e in errors if e["loc"][:-1] == first["loc"][:-1]]
        first = next((e for e in siblings if not e["type"].endswith("_type")), first)
        first = {**first, "loc": first["loc"][:-1]}
    loc = list(first["loc"])
    for k in range(1, len(loc)):  # pydantic puts an event's type in its path: drop it
        in_list = isinstance(loc[k - 1], int) or (k >= 2 and loc[k - 2] == "replace_events")
        if loc[k] in EVENT_TYPES and in_list:
            first = {**first, "loc": (*loc[:k], *loc[k + 1 :])}
            break
    found = "nothing" if first["type"] == "missing" else first.get("input")
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):  # an event's type
        key = str(first.get("ctx", {}).get("discriminator", "type")).strip("'")
        first = {**first, "loc": (*first["loc"], key)}
        found = found.get(key, "nothing") if isinstance(found, dict) else found
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return ConfigError(file, field, plain_expectation(first), found)
