"""The scenario's key assumptions with their basis, read from the comments of its YAML file.

Scenario files say where each number comes from in comments: a source (``# SIPRI 2024``) or
``judgement``. :func:`scenario_assumptions` pairs every commented value with its dotted path, and
keeps the comment blocks that describe whole sections, so that the report can show what the
results rest on without the reader opening the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

JUDGEMENT = "judgement"
NOTE = "note"


@dataclass(frozen=True)
class Assumption:
    """One commented value (or section) of a scenario file.

    Attributes
    ----------
    field : str
        Dotted path (``relations.SRB-XKX``) or ``(file)`` for the header.
    value : str
        The value as written in the file (one line, shortened), or ``""`` for a section note.
    basis : str
        The comment text.
    kind : str
        ``judgement`` if the comment says so, else ``source``; ``note`` for a comment block
        that describes a section (or the file, field ``(file)``).
    line : int
        Line number in the file (1-based).
    """

    field: str
    value: str
    basis: str
    kind: str
    line: int


def _comment_in(line: str) -> str | None:
    """The comment of one line: a ``#`` at the start or after a blank, outside quotes.

    A quote opens a quoted scalar only where YAML allows one (at the start of a value), so an
    apostrophe inside plain text (``Serbia's``) does not hide a comment.
    """
    quote = None
    for index, char in enumerate(line):
        before = line[index - 1] if index else " "
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"" and before in " \t[{,:":
            quote = char
        elif char == "#" and before in " \t":
            return line[index + 1 :].strip()
    return None


def _comments(text: str) -> dict[int, tuple[str, bool]]:
    """Line (0-based) -> (comment text, whole line?) for every comment of the file."""
    found: dict[int, tuple[str, bool]] = {}
    for number, line in enumerate(text.splitlines()):
        comment = _comment_in(line)
        if comment is not None:
            found[number] = (comment, line.lstrip().startswith("#"))
    return found


def _keys(node: yaml.Node, prefix: str, out: dict[int, tuple[str, str]]) -> None:
    """Line (0-based) -> (outermost dotted key starting there, its value's source text)."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        path = f"{prefix}.{key.value}" if prefix else str(key.value)
        out.setdefault(key.start_mark.line, (path, _source(value)))
        _keys(value, path, out)
    return


def _source(node: yaml.Node) -> str:
    """A short one-line text of a node as the file writes it ("" for a block section)."""
    if isinstance(node, yaml.CollectionNode) and not node.flow_style:
        return ""
    buffer = node.start_mark.buffer
    if buffer is not None:
        text = buffer[node.start_mark.index : node.end_mark.index]
    else:
        text = str(getattr(node, "value", ""))
    text = " ".join(text.replace("\x00", "").split())
    return text if len(text) <= 80 else text[:77] + "…"


def scenario_assumptions(path: str | Path) -> list[Assumption]:
    """Every commented value and section note of a scenario file, in file order.

    A comment at the end of a line belongs to the outermost key that starts on that line; a block
    of whole-line comments is a note on the key right below it (the file's first lines on
    ``(file)``; a block followed by a blank line on ``(note)``).

    Parameters
    ----------
    path : str or Path
        The scenario YAML file.

    Returns
    -------
    list of Assumption

    Raises
    ------
    OSError, yaml.YAMLError
        If the file cannot be read or parsed (the report then says so instead).
    """
    text = Path(path).read_text(encoding="utf-8")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    keys: dict[int, tuple[str, str]] = {}
    if root is not None:
        _keys(root, "", keys)
    comments = _comments(text)
    found: list[Assumption] = []
    block: list[tuple[int, str]] = []
    for number in range(len(text.splitlines()) + 1):
        comment = comments.get(number)
        if comment and comment[1]:
            block.append((number, comment[0]))
            continue
        if block:
            field = keys[number][0] if number in keys else "(note)"
            if block[0][0] == 0:
                field = "(file)"
            note = " ".join(line for _, line in block)
            found.append(Assumption(field, "", note, NOTE, block[0][0] + 1))
            block = []
        if comment and number in keys:
            field, value = keys[number]
            found.append(_assumption(field, value, comment[0], number))
    return found


def _assumption(field: str, value: str, basis: str, line: int) -> Assumption:
    kind = JUDGEMENT if JUDGEMENT in basis.lower() else "source"
    return Assumption(field, value, basis, kind, line + 1)
