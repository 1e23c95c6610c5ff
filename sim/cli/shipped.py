"""The shipped files: ``examples`` lists them, ``init`` copies them for editing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.common import console
from sim.scenario.shipped import copy_shipped, shipped_files


def examples() -> None:
    """List the shipped scenarios and experiments: name, kind and what each is for.

    Every command that takes a scenario or experiment file also takes one of these names, e.g.
    `alliance-sim run bulgaria_question`; `alliance-sim init DIR` copies them all for editing.
    """
    table = Table("name", "kind", "what it is", title="Shipped with alliance-sim")
    for entry in shipped_files():
        table.add_row(entry.name, entry.kind, escape(entry.summary))
    console.print(table)
    console.print(f"Files in {escape(str(shipped_files()[0].path.parents[1]))}", soft_wrap=True)


def init(
    folder: Annotated[Path, typer.Argument(help="Where to copy them (created if missing).")],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that are already there.")
    ] = False,
) -> None:
    """Copy the shipped scenarios (with their data and sources) and experiments into FOLDER.

    FOLDER/scenarios/ and FOLDER/experiments/ keep the shipped layout, so each experiment still
    finds its scenario and every file can be edited and run by path, e.g.
    `alliance-sim run FOLDER/experiments/bulgaria_question.yaml`. Nothing is copied if any of
    the files exists already, unless --force.
    """
    written = copy_shipped(folder, force=force)
    counts = {kind: sum(1 for p in written if p.parent.name == kind) for kind in
              ("scenarios", "experiments")}  # fmt: skip
    example = folder / "experiments" / "nato_stance.yaml"
    console.print(
        f"Copied {counts['scenarios']} scenarios, {counts['experiments']} experiments and "
        f"{len(written) - sum(counts.values())} data files into [bold]{escape(str(folder))}"
        f"[/bold]; try: alliance-sim run {escape(str(example))}",
        soft_wrap=True,
    )
