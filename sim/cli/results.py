"""The commands on a results folder: sensitivity, discover, summarize, plot and report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from sim.cli.common import console
from sim.experiment.figures import FIGURES


def sensitivity(
    folder: Annotated[Path, typer.Argument(help="The results folder of a sweep.")],
    outcome: Annotated[
        str, typer.Option(help="A named outcome of the experiment (see design_summary.csv).")
    ],
    statistic: Annotated[
        str,
        typer.Option(
            help="Per-point statistic of a numeric outcome: mean, median, p05, "
            "p95 or sd (a yes/no outcome is its probability)."
        ),
    ] = "mean",
    method: Annotated[
        str | None, typer.Option(help="sobol, morris, pawn or oat (default: the design's).")
    ] = None,
    second_order: Annotated[
        bool, typer.Option("--second-order", help="Also Sobol' S2 (needs second_order: true).")
    ] = False,
) -> None:
    """Rank the swept parameters by their influence on one outcome (SALib), from a finished
    sweep without rerunning it.

    Sobol designs give S1 and ST with 95% intervals (and PAWN), Morris designs μ*, μ and σ,
    other random designs PAWN. The table is also written to sensitivity.csv in the folder.
    Needs the analysis extra: pip install 'alliance-sim[analysis]'.
    """
    from sim.analysis.results import open_results
    from sim.analysis.sensitivity import write_sensitivity
    from sim.analysis.sweep_tables import sensitivity_view

    results = open_results(folder)
    table = results.sensitivity(outcome, statistic=statistic, method=method,
                                second_order=second_order)  # fmt: skip
    for view in sensitivity_view(table):
        console.print(view)
    console.print(f"Written to {write_sensitivity(results.path, table)}", soft_wrap=True)


def discover(
    folder: Annotated[Path, typer.Argument(help="The results folder of a sweep.")],
    where: Annotated[
        str,
        typer.Option(
            help="The runs of interest: a yes/no expression over the runs table, "
            'e.g. "joined_BGR and crisis_count == 0".'
        ),
    ],
    variant: Annotated[str | None, typer.Option(help="Only this variant's runs.")] = None,
    min_coverage: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Report the densest significant box that covers at least this share of the cases.",
        ),
    ] = 0.5,
    box: Annotated[
        int | None, typer.Option(min=0, help="Report this box of the peeling trajectory.")
    ] = None,
) -> None:
    """Find the parameter ranges where the runs of interest concentrate (scenario discovery).

    PRIM (EMA Workbench) gives the peeling trajectory of coverage against density and a box
    with a quasi-p-value per restriction; a CART tree and extra-trees feature scores give two
    other views. Tables and a one-sentence answer are printed; discovery.json and
    discovery_*.csv are written to the folder. Needs the analysis extra.
    """
    from sim.analysis.discovery import write_discovery
    from sim.analysis.results import open_results
    from sim.analysis.sweep_tables import discovery_view

    results = open_results(folder)
    found = results.discover(where, variant=variant, min_coverage=min_coverage, box=box)
    for view in discovery_view(found):
        console.print(view, soft_wrap=isinstance(view, str))
    written = write_discovery(results.path, found)
    console.print(f"Written to {written[0]} and discovery_*.csv", soft_wrap=True)


def summarize(
    folder: Annotated[
        Path, typer.Argument(help="A results folder, e.g. results/bulgaria_question.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Write the summary table here instead of FOLDER/summary.csv."),
    ] = None,
) -> None:
    """Recompute summary.csv of a results folder and print the summary tables again.

    Every part is first checked against the manifest (row count and checksum): a missing or
    damaged part is named with its task, and nothing is summarised until `run --resume` has
    rerun it. A read-only folder still prints its tables (use --out to save the summary).
    """
    from sim.analysis.results import resummarize
    from sim.analysis.tables import print_summary

    results, not_written = resummarize(folder, out=out)
    print_summary(results, console)
    if not_written is not None:
        Console(stderr=True).print(
            f"[yellow]summary.csv not written[/yellow]: {escape(str(not_written))}; the tables "
            "above are complete (use --out FILE to save the summary elsewhere)",
            highlight=False,
            soft_wrap=True,
        )
    if results.design is not None:
        from sim.analysis.sweep_tables import print_design_summary

        print_design_summary(results, console)
    report_folder(results)


def plot(
    folder: Annotated[
        Path, typer.Argument(help="A results folder, e.g. results/bulgaria_question.")
    ],
    figure: Annotated[
        list[str] | None,
        typer.Option(
            "--figure",
            help="Draw only this figure (repeatable): "
            + ", ".join(FIGURES)
            + ". Default: the experiment's outputs.figures, or all that "
            "apply if it is absent or [].",
        ),
    ] = None,
    svg: Annotated[bool, typer.Option("--svg", help="Also write SVG next to each PNG.")] = False,
) -> None:
    """Draw the figures of a results folder into FOLDER/figures/ (PNG, and SVG with --svg).

    Every figure has a title, units, calendar dates and a caption with the experiment,
    replications and seed; see docs/figures.md for what each shows. Figures that do not apply
    (e.g. tension_bands without stored trajectories) are listed with the reason.
    """
    from sim.report.drawing import write_figures

    written = write_figures(folder, figure or None, svg=svg)
    for name, files in written.items():
        if isinstance(files, str):
            console.print(f"  [dim]{name}: not drawn ({escape(files)})[/dim]", soft_wrap=True)
        else:
            console.print(f"  {name}: {', '.join(str(f) for f in files)}", soft_wrap=True)


def report(
    folder: Annotated[
        Path, typer.Argument(help="A results folder, e.g. results/bulgaria_question.")
    ],
    out: Annotated[
        Path | None, typer.Option(help="Write the page here (default FOLDER/report.html).")
    ] = None,
    redraw: Annotated[
        bool,
        typer.Option("--redraw", help="Draw every figure again instead of reusing figures/."),
    ] = False,
) -> None:
    """Write FOLDER/report.html: one self-contained page to read or send.

    The page holds the experiment's question, the scenario's key assumptions (with their
    sources or "judgement", from the scenario file's comments), the variants, the summary
    tables, the differences between variants, every figure that applies (embedded; the page
    needs no other file and no network), sensitivity and discovery results when present, and
    the provenance from manifest.json. Figures already in FOLDER/figures/ and drawn after the
    folder last changed are reused.
    """
    from sim.report.html import write_report

    path = write_report(folder, out=out, redraw=redraw)
    console.print(f"Report in [bold]{escape(str(path))}[/bold]", soft_wrap=True)


def report_folder(results) -> None:
    """Say where the results are; exit 1 if runs failed or are still to run."""
    figures = results.path / "figures"
    extra = ", figures/" if figures.is_dir() and any(figures.iterdir()) else ""
    console.print(f"Results in [bold]{escape(str(results.path))}[/bold] (summary.csv, "
                  f"runs/{extra}, manifest.json); `alliance-sim report` writes report.html"
                  )  # fmt: skip
    if results.failed_count:
        first = results.failures[0]
        if len({failure["error"] for failure in results.failures}) == 1:  # a rerun repeats it
            advice = "fix the experiment and run it with a new --out"
        else:
            advice = "rerun the failed runs with --resume"
        Console(stderr=True).print(
            f"[red]{results.failed_count} run(s) failed[/red]; first: {first.get('variant')} "
            f"replication {first.get('replication', first.get('replications'))}: "
            f"{escape(str(first['error']))} (all in {escape(str(results.path / 'manifest.json'))});"
            f" {advice}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    if results.pending_count:
        Console(stderr=True).print(
            f"[yellow]{results.pending_count} run(s) not run yet[/yellow]; finish with --resume"
        )
        raise typer.Exit(1)
