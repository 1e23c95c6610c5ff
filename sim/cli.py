"""The ``alliance-sim`` command line: a thin layer over the library, one function per command."""

from __future__ import annotations

import math
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.errors import AllianceSimError, ConfigError
from sim.experiment.figures import FIGURES
from sim.model.world import compile_world, describe
from sim.scenario.calendar import step_to_month
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.shipped import copy_shipped, resolve_input, shipped_files

app = typer.Typer(
    name="alliance-sim",
    help=(
        "Simulate how regional security pacts grow, stall or provoke.\n\n"
        "A scenario file (scenarios/*.yaml) describes countries, relations, blocs, outside "
        "patrons and dated events; an experiment file (experiments/*.yaml) says which variants "
        "to run and how often. Shipped files are named without a folder (`alliance-sim "
        "examples` lists them; `alliance-sim init DIR` copies them for editing). A typical "
        "session:\n\n"
        "  alliance-sim validate western_balkans_2025   (what the scenario holds)"
        "\n\n"
        "  alliance-sim simulate western_balkans_2025 --seed 7   (one history)"
        "\n\n"
        "  alliance-sim run bulgaria_question   (probabilities over many runs)"
        "\n\n"
        "  alliance-sim landscape western_balkans_2025   (stable camps)\n\n"
        "Every value of a scenario has a dotted path (countries.SRB.alignment, "
        "patrons.west.endorsement, dynamics.tension.decay) that --set, variants and sweeps use. "
        "Docs: docs/MODEL.md, docs/configuration.md, docs/experiments.md, docs/landscape.md."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

ScenarioArg = Annotated[
    Path,
    typer.Argument(
        help="A scenario YAML file, or the name of a shipped one (alliance-sim examples), e.g. "
        "western_balkans_2025."
    ),
]


@app.command()
def validate(path: ScenarioArg) -> None:
    """Check a scenario file and summarise what it contains.

    Every problem is reported with the file, the dotted field path, what was expected and what
    was found. Exit status 0 means the scenario is ready to simulate.
    """
    path = resolve_input(path, "scenario")
    scenario = load_scenario(path)
    world = compile_world(scenario)
    summary = describe(world)
    console.print(f"[bold]{escape(scenario.name)}[/bold]: valid scenario ({escape(str(path))})",
                  soft_wrap=True)  # fmt: skip
    if scenario.description:
        console.print(escape(scenario.description))
    table = Table("country", "name", "capability US$bn", "size", "alignment", "NATO", "bloc")
    size = world.capability[0] / world.capability[0].sum()
    bloc_of = {code: name for name, bloc in scenario.blocs.items() for code in bloc.members}
    for i, (code, country) in enumerate(scenario.countries.items()):
        table.add_row(
            code,
            escape(country.name),
            f"{country.capability:.2f}",
            f"{size[i]:.3f}",
            f"{country.alignment:+.2f}",
            "yes" if country.nato else "no",
            bloc_of.get(code, ""),
        )
    console.print(table)
    console.print(
        f"start {scenario.start}; {summary['countries']} countries, "
        f"{len(scenario.relations)} listed dyads, blocs: {', '.join(summary['blocs']) or 'none'}"
        f" (pact: {scenario.pact_name}); {summary['events']} scheduled events"
        f"{'; counter-blocs on' if scenario.dynamics.counter_bloc.enabled else ''}.",
        soft_wrap=True,
    )


@app.command()
def simulate(
    path: ScenarioArg,
    months: Annotated[int, typer.Option(min=1, help="Horizon in months (120 = ten years).")] = 120,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed of the run; the same seed replays it.")
    ] = 7,
    override: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a value by dotted path, e.g. --set patrons.west.endorsement=0.3 "
            "(repeatable).",
        ),
    ] = None,
) -> None:
    """Run the model once and print a dated timeline of what happened.

    The timeline lists the scenario's scheduled events, joins and exits, stage changes of the
    pact, counter-blocs and crises, then a closing line of key outcomes. One run is one possible
    history: use `alliance-sim run EXPERIMENT.yaml` for probabilities over many runs.
    """
    overrides = parse_overrides(override or [])
    scenario = load_scenario(resolve_input(path, "scenario"), overrides=overrides)
    from sim.model import AllianceModel  # Mesa: not imported by `run`'s worker processes

    model = AllianceModel(scenario, months=months, timeline=True, rng=seed)
    model.run()
    world = model.world
    timeline = [
        (step_to_month(step, start=scenario.start), f"[dim]{escape(note)}[/dim]")
        for step, events in sorted(world.events.items()) if step < months
        for note in events.notes
    ] + [(month, text) for month, text in model.timeline()]  # fmt: skip
    end = step_to_month(months - 1, start=scenario.start)
    console.print(f"[bold]{escape(scenario.name)}[/bold], seed {seed}, {scenario.start} to {end}")
    for month, text in sorted(timeline, key=lambda item: item[0]):
        console.print(f"  {month}  {text}", soft_wrap=True)
    row = model.outcomes().iloc[0]
    console.print(closing_line(row, scenario), soft_wrap=True)


@app.command("patterns")
def patterns(
    path: ScenarioArg,
    replications: Annotated[
        int, typer.Option(min=2, help="Runs of the scenario (batch engine, seeded).")
    ] = 2000,
    seed: Annotated[int, typer.Option(min=0, help="Master seed of the runs.")] = 20250318,
) -> None:
    """Check a scenario against its `patterns:` (what it must reproduce) and print each.

    Every pattern is a measure over a period with a target range and its reasoning, e.g. "no new
    member 2025-03..2026-02 with probability >= 0.85" (pattern-oriented calibration, Grimm et al.
    2005). The scenario is run REPLICATIONS times; each pattern's estimate is printed with its
    95% interval and passes when the estimate lies in the target range. Exit status 1 if any
    pattern fails.
    """
    from sim.analysis.patterns import evaluate_patterns
    from sim.analysis.tables import patterns_table

    scenario = load_scenario(resolve_input(path, "scenario"))
    results = evaluate_patterns(scenario, replications=replications, seed=seed)
    console.print(patterns_table(results, start=scenario.start))
    failed = [result.pattern.name for result in results if not result.passed]
    console.print(
        f"{len(results) - len(failed)} of {len(results)} patterns pass "
        f"({replications} runs, seed {seed})" + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    if failed:
        raise typer.Exit(1)


@app.command("landscape")
def landscape(
    path: Annotated[
        Path,
        typer.Argument(
            help="A landscape file (YAML with actors: and propensities:), a CSV matrix with a "
            "size column, or a scenario (a file or a shipped name), e.g. "
            "docs/examples/toy_landscape.yaml or western_balkans_2025."
        ),
    ],
    top: Annotated[
        int, typer.Option(min=0, help="How many of the lowest-energy configurations to list.")
    ] = 10,
    json_path: Annotated[
        str | None,
        typer.Option("--json", help="Also write the result as JSON to this path ('-': stdout)."),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option(
            help="Scenarios: take propensities after this many simulated months (a number, "
            "or YYYY-MM)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(min=0, help="Seed of the simulated run and of the restarts (drawn if unset)."),
    ] = None,
    override: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Scenarios: override a value by dotted path, e.g. --set "
            "dynamics.propensity.alignment_weight=0 (repeatable).",
        ),
    ] = None,
    restarts: Annotated[
        int, typer.Option(min=1, help="Random descents when there are more than 20 actors.")
    ] = 10_000,
) -> None:
    """Find the stable two-camp alignments of Axelrod and Bennett's landscape theory.

    Actors of size s_i with symmetric propensities p_ij (positive: rather
    together) split into two camps. The energy E sums s_i s_j p_ij over the
    ordered pairs in different camps (each pair counted twice, as in the 1993
    paper), so it is lowest where friends share a camp. An actor switches camp
    when that lowers its frustration, and that lowers E; the local minima,
    where no one wants to switch, are the stable alignments. A minimum's basin
    share is the share of all 2^(n-1) configurations whose steepest descent
    (ties go to the first-listed actor) ends there.

    Up to 20 actors every configuration is enumerated; beyond that, --restarts
    random descents estimate the minima and their basins. For a scenario, sizes
    are shares of capability, propensities come from the model (MODEL.md
    section 3) and the blocs are compared with the minima. See
    docs/landscape.md.
    """
    from sim.landscape.report import landscape_command

    landscape_command(resolve_input(path, "scenario"), top=top, json_path=json_path,
                      month=month, restarts=restarts, overrides=parse_overrides(override or []),
                      seed=seed)  # fmt: skip


class ExecutorName(StrEnum):
    serial = "serial"
    processes = "processes"
    dask = "dask"


class EngineName(StrEnum):
    batch = "batch"
    mesa = "mesa"


@app.command("run")
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
            "alliance-sim[distributed] and, without a scheduler, starts a local cluster."
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
            "that apply).",
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


@app.command()
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


@app.command()
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


@app.command()
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


@app.command()
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
            "apply.",
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


@app.command()
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


@app.command()
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


@app.command()
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


def closing_line(row, scenario: Scenario) -> str:
    """One line of the run's key outcomes."""
    parts = [f"members: {row['final_members']}"]
    parts.append(f"stage: {row['final_stage']} (depth {row['final_depth']:.2f})")
    crises = int(row["crisis_count"])
    parts.append(f"crises: {crises}")
    for dyad in scenario.tracked_dyads:
        parts.append(f"peak tension {dyad} {row[f'peak_tension_{dyad}']:.2f}")
    if row["counter_bloc_formed"]:
        parts.append(f"counter-bloc: {row['counter_bloc_members']}")
    return "[bold]Outcome:[/bold] " + "; ".join(parts)


def parse_overrides(items: list[str]) -> dict[str, float]:
    """Parse ``path=value`` strings into an overrides mapping."""
    overrides: dict[str, float] = {}
    for item in items:
        path, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            number = float(value)
        except ValueError:
            raise ConfigError(None, "--set", "PATH=NUMBER", item) from None
        if not math.isfinite(number):
            raise ConfigError(None, f"--set {path.strip()}", "a finite number", value.strip())
        overrides[path.strip()] = number
    return overrides


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a user mistake prints one clear message and returns a non-zero status.

    SIGTERM (``kill``, a job scheduler's stop) is treated as Ctrl-C: a run saves its manifest
    and says how to resume it.
    """
    previous = install_sigterm_as_interrupt()
    try:
        app(args=argv, prog_name="alliance-sim")
    except SystemExit as done:  # typer's normal way out, also for --help and usage errors
        return int(done.code or 0)
    except AllianceSimError as err:
        Console(stderr=True).print(f"[red]error:[/red] {escape(str(err))}", highlight=False,
                                   soft_wrap=True)  # fmt: skip
        return 2
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def install_sigterm_as_interrupt():
    """Make SIGTERM raise KeyboardInterrupt; return the handler it replaced (None if it could
    not be installed: not the main thread)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # signal only works in the main thread
        return None


if __name__ == "__main__":
    sys.exit(main())
