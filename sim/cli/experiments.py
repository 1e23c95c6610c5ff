"""The ``run`` command: an experiment into its results folder, then its summary."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from sim.cli.common import console
from sim.cli.results import report_folder
from sim.scenario.shipped import resolve_input


class ExecutorName(StrEnum):
    serial = "serial"
    processes = "processes"
    dask = "dask"


class EngineName(StrEnum):
    batch = "batch"
    mesa = "mesa"


def run(
    experiment: Annotated[
        Path,
        typer.Argument(
            help="An experiment YAML file, or the name of a shipped one (alliance-sim examples), "
            "e.g. nato_stance or experiments/nato_stance.yaml."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Parent folder of the results folder.")] = Path(
        "results"
    ),
    replications: Annotated[
        int | None, typer.Option(min=1, help="Runs per variant (default: the file's).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Master seed (default: the file's).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, help="Worker processes (default: one per CPU); more than 1 means processes."
        ),
    ] = None,
    executor: Annotated[
        ExecutorName | None,
        typer.Option(
            help="serial, processes or dask (default: processes from 5,000 batch or 200 Mesa "
            "runs, where they are faster; dask with --scheduler). dask needs "
            "the distributed extra (pip install 'alliance-sim\\[distributed]') and, without a "
            "scheduler, starts a local cluster."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler to run on, e.g. tcp://10.0.0.5:8786 or a scheduler.json file "
            "(default: $ALLIANCE_SIM_SCHEDULER with --executor dask). Workers need no shared "
            "folder: results come back here. See docs/cluster.md."
        ),
    ] = None,
    engine: Annotated[
        EngineName | None,
        typer.Option(help="batch (fast) or mesa (reference); identical results."),
    ] = None,
    chunk_size: Annotated[
        int | None, typer.Option(min=1, help="Runs per task (default 500 batch, 50 mesa).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted run in the same folder.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the plan (runs, tasks, time from a probe of a few runs, disk) and stop; "
            "nothing is written.",
        ),
    ] = False,
    plots: Annotated[
        bool,
        typer.Option(
            "--plots/--no-plots",
            help="Draw the figures into OUT/<name>/figures/ at the end (outputs.figures, or all "
            "that apply if it is absent; none if it is []).",
        ),
    ] = True,
) -> None:
    """Run every variant of an experiment, write the results folder and print the summary.

    Results go to OUT/<experiment name>/: manifest.json, runs/ and series/ Parquet parts,
    summary.csv and figures/ (docs/experiments.md, docs/figures.md). Ctrl-C stops cleanly; rerun
    with --resume to finish. Then `alliance-sim report OUT/<name>` writes a one-page report.
    Exit status 1 means some runs failed (listed in manifest.json).
    """
    from sim.analysis.tables import print_summary
    from sim.experiment.runner import RunInterrupted
    from sim.workflow import load_experiment, run_experiment

    loaded = load_experiment(
        resolve_input(experiment, "experiment"),
        replications=replications,
        seed=seed,
        engine=engine.value if engine else None,
    )
    horizon = f"{loaded.steps} steps" if loaded.model else f"{loaded.months} months"
    points = f"{loaded.points} design points ({loaded.sweep.type}) × " if loaded.sweep else ""
    console.print(
        f"[bold]{loaded.name}[/bold]: {len(loaded.variant_names)} variant(s) × {points}"
        f"{loaded.replications} replications, {horizon}, seed {loaded.seed}, "
        f"{loaded.runs_on} engine"
    )
    if dry_run:
        from sim.experiment.planning import check_plan
        from sim.experiment.runner import plan

        sized = plan(loaded, out=out, executor=executor.value if executor else None,
                     workers=workers, chunk_size=chunk_size, probe=True)  # fmt: skip
        for line in sized.lines():
            console.print(f"  {escape(line)}", soft_wrap=True)
        check_plan(sized, loaded.file)
        console.print("dry run: nothing written; without --dry-run this run would start")
        return
    try:
        results = run_experiment(
            loaded,
            out=out,
            executor=executor.value if executor else None,
            workers=workers,
            scheduler=scheduler,
            chunk_size=chunk_size,
            resume=resume,
            plots=plots,
            console=console,
        )
    except RunInterrupted as stop:
        flags = {"--replications": replications, "--seed": seed, "--engine": engine,
                 "--executor": executor, "--scheduler": scheduler}  # fmt: skip
        again = "".join(f" {flag} {value}" for flag, value in flags.items() if value is not None)
        Console(stderr=True).print(
            escape(
                f"interrupted: {stop.done} of {stop.total} tasks done, saved in {stop.path}\n"
                f"resume with: alliance-sim run {experiment} --out {out}{again} --resume"
            ),
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(130) from None
    print_summary(results, console)
    if results.design is not None:
        from sim.analysis.sweep_tables import print_design_summary

        print_design_summary(results, console)
    report_folder(results)
