"""The shipped scenario and experiment files: where they are, finding one by name, copying them.

The repository keeps them in its top-level ``scenarios/`` (with ``scenarios/data/``, the facts and
their sources) and ``experiments/`` folders; a wheel carries the same two folders inside the
package, as ``sim/_shipped/`` (pyproject's ``force-include``). :data:`ROOT` is whichever of the two
holds them, so a source checkout, an editable install and a normal install find the same files.
Experiments name their scenario by a path relative to themselves (``../scenarios/...``), which
holds in both places and in a copy made by :func:`copy_shipped`.

Examples
--------
>>> find_shipped("bulgaria_question", "experiment").name
'bulgaria_question.yaml'
>>> sorted({entry.kind for entry in shipped_files()})
['experiment', 'scenario']
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from sim.errors import AllianceSimError, InputFileNotFoundError

KINDS = {"scenario": "scenarios", "experiment": "experiments"}


def shipped_root() -> Path:
    """The folder holding ``scenarios/`` and ``experiments/``: the installed package's
    ``sim/_shipped/`` if there is one, else the source checkout's top level."""
    installed = files("sim") / "_shipped"
    if installed.is_dir():
        return Path(str(installed))  # a wheel is installed unzipped: a real folder
    return Path(__file__).resolve().parents[2]


ROOT = shipped_root()


def default_scenario_path() -> Path:
    """The default scenario, ``scenarios/western_balkans_2025.yaml``."""
    return ROOT / "scenarios" / "western_balkans_2025.yaml"


def shipped_scenarios() -> list[Path]:
    """Every scenario file shipped in ``scenarios/``."""
    return sorted((ROOT / "scenarios").glob("*.yaml"))


@dataclass(frozen=True)
class ShippedFile:
    """One shipped file: its name (what the CLI accepts), its kind, its path and what it is."""

    name: str
    kind: str
    path: Path
    summary: str


def shipped_files() -> list[ShippedFile]:
    """Every shipped scenario and experiment, scenarios first, each kind by name."""
    return [
        ShippedFile(path.stem, kind, path, one_line_summary(path))
        for kind, folder in KINDS.items()
        for path in sorted((ROOT / folder).glob("*.yaml"))
    ]


def one_line_summary(path: Path) -> str:
    """The first sentence of a file's opening comment (every shipped file starts with one)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").strip())
    text = " ".join(lines)
    for end in (". ", "? "):
        if end in text:
            text = text[: text.index(end) + 1]
    return text


def resolve_input(text: str | Path, kind: str) -> Path:
    """The file a command-line argument names: an existing path as given, else a shipped file.

    A bare name (no folder, with or without ``.yaml``) that is not a file here means the shipped
    file of that name, so ``alliance-sim run bulgaria_question`` works from any folder and from
    a normal install. Anything else is returned unchanged, for the loader to report.

    Raises
    ------
    InputFileNotFoundError
        A bare name that is neither a file here nor shipped; the message lists the shipped names.
    """
    path = Path(text)
    if path.exists() or len(path.parts) != 1 or path.suffix not in ("", ".yaml"):
        return path
    try:
        return find_shipped(path.stem, kind)
    except KeyError:
        names = ", ".join(p.stem for p in sorted((ROOT / KINDS[kind]).glob("*.yaml")))
        raise ShippedNameError(path, kind, names) from None


def find_shipped(name: str, kind: str) -> Path:
    """The shipped ``kind`` (``scenario`` or ``experiment``) file called ``name``.

    Raises
    ------
    KeyError
        There is none of that name.
    """
    path = ROOT / KINDS[kind] / f"{name}.yaml"
    if not path.is_file():
        raise KeyError(name)
    return path


class ShippedNameError(InputFileNotFoundError):
    """A bare name on the command line that is neither a file nor a shipped file."""

    def __init__(self, path: Path, kind: str, names: str) -> None:
        super().__init__(path)
        self.args = (
            f"{path}: no such file, and no shipped {kind} of that name (shipped: {names}; "
            "`alliance-sim examples` describes them)",
        )


class DestinationExistsError(AllianceSimError, FileExistsError):
    """``copy_shipped`` would overwrite files that are already there."""


def copy_shipped(destination: str | Path, *, force: bool = False) -> list[Path]:
    """Copy the shipped ``scenarios/`` (with ``data/``) and ``experiments/`` into ``destination``.

    The copy keeps the layout, so the experiments' relative scenario paths still hold and every
    copied file can be edited and run by path. Nothing is copied if any target file exists,
    unless ``force``; a copy that fails part-way (disk full) removes the files it added.

    Returns
    -------
    list of Path
        The files written, in order.

    Raises
    ------
    DestinationExistsError
        Some target files exist (named, with the count) and ``force`` is false.
    DestinationWriteError
        A folder or file could not be written (the reason named).
    """
    destination = Path(destination)
    sources = [
        path
        for folder in KINDS.values()
        for path in sorted((ROOT / folder).rglob("*"), key=lambda p: (len(p.parts), p))
        if path.is_file() and "__pycache__" not in path.parts
    ]  # each folder's own files before those of its subfolders
    targets = [destination / path.relative_to(ROOT) for path in sources]
    existing = [target for target in targets if target.exists()]
    if existing and not force:
        shown = ", ".join(str(path) for path in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise DestinationExistsError(
            f"{destination}: {len(existing)} of the {len(targets)} files to copy exist already "
            f"({shown}{more}); nothing copied. Choose another folder, or add --force to "
            "overwrite them with the shipped versions"
        )
    created: list[Path] = []
    try:
        for source, target in zip(sources, targets, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            new = not target.exists()
            shutil.copyfile(source, target)
            if new:
                created.append(target)
    except OSError as err:
        for path in created:  # no half copy: remove what this call added
            path.unlink(missing_ok=True)
        raise DestinationWriteError(
            f"{destination}: cannot copy the shipped files there ({err.strerror or err}); "
            "nothing copied"
        ) from None
    return targets


class DestinationWriteError(AllianceSimError, OSError):
    """``copy_shipped`` could not write into the destination folder."""
