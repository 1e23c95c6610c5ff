"""Terminal tables of a results folder's summary, for ``alliance-sim run`` and ``summarize``.

Presentation only: everything shown is read from :class:`~sim.analysis.results.Results` (its
``summary.csv`` and its runs); nothing is estimated here.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.analysis.bloc_summary import FOUNDED, is_other_bloc, other_blocs
from sim.analysis.patterns import PatternResult
from sim.analysis.results import Results
from sim.analysis.summary import JOINED_BY, PROCESS_TARGETS
from sim.scenario.calendar import step_to_month

SHOW_AT_LEAST = 0.01  # countries below this join probability in every variant are not listed


def percent(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def with_interval(estimate: float, low: float, high: float, *, as_percent: bool = True) -> str:
    """``12.5% (10.1–15.2)`` or ``1.10 (1.07–1.13)``."""
    if estimate is None or math.isnan(estimate):
        return "–"
    show = (lambda v: f"{100 * v:.1f}") if as_percent else (lambda v: f"{v:.2f}")
    unit = "%" if as_percent else ""
    bounds = "" if math.isnan(low) or math.isnan(high) else f" ({show(low)}–{show(high)})"
    return f"{show(estimate)}{unit}{bounds}"


def p_value(value: float) -> str:
    if value is None or math.isnan(value):
        return ""
    return "p<0.001" if value < 0.001 else f"p={value:.3f}"


def difference(row: Any, *, as_percent: bool = True) -> str:
    """``+4.2 pp (+2.9 to +5.5), p=0.013``: a paired difference, its interval and test.

    Empty for the baseline (no difference).
    """
    value = row.difference
    if value is None or math.isnan(value):
        return ""

    def show(v: float) -> str:
        return f"{100 * v:+.1f}" if as_percent else f"{v:+.3f}"

    unit = " pp" if as_percent else ""
    low, high = row.difference_low, row.difference_high
    bounds = "" if math.isnan(low) or math.isnan(high) else f" ({show(low)} to {show(high)})"
    test = f", {p_value(row.p_value)}" if p_value(row.p_value) else ""
    return f"{show(value)}{unit}{bounds}{test}"


def month_label(value: float, start: str | None) -> str:
    if value is None or math.isnan(value):
        return "not reached"
    return step_to_month(int(value), start=start) if start else f"month {int(value)}"


def print_summary(results: Results, console: Console) -> None:
    """Print the summary tables of a results folder, one per variant."""
    summary = results.summary
    if summary.empty:
        console.print("[yellow]no completed runs to summarise[/yellow]")
        return
    if results.experiment.get("model"):
        console.print(model_table(summary))
        return
    start = (results.manifest.get("scenario") or {}).get("start")
    joined = summary[summary["measure"].str.startswith(JOINED_BY)]
    shown = sorted(
        set(joined.loc[joined["estimate"] >= SHOW_AT_LEAST, "subject"]),
        key=list(joined["subject"].unique()).index,
    )
    hidden = [code for code in results.candidates if code not in shown]
    paths = results.paths(top=3)
    for variant in results.variants:
        mine = summary[summary["variant"] == variant]
        if mine.empty:
            continue
        tracked = mine[~mine["measure"].map(is_other_bloc)]
        console.print(country_table(tracked, variant, results, shown, hidden, start))
        console.print(pact_table(tracked, variant, results, paths))
        if tracked["measure"].str.startswith(PROCESS_TARGETS["invite"]).any():
            console.print(process_table(tracked, variant, results.baseline, start))
        for bloc in other_blocs(results.run_columns):
            console.print(bloc_table(mine, variant, bloc, results.baseline, start))


def country_table(
    mine: pd.DataFrame,
    variant: str,
    results: Results,
    shown: list[str],
    hidden: list[str],
    start: str | None,
) -> Table:
    """Join probabilities by year, median join month and the change against the baseline."""
    versus = "" if variant == results.baseline else f" vs {results.baseline}"
    n = int(mine["n"].max())
    title = f"[bold]{variant}[/bold]: accession ({n} runs){versus}"
    caption = f"not listed (under 1% in every variant): {', '.join(hidden)}" if hidden else None
    table = Table(title=title, caption=caption, title_justify="left")
    measures = [m for m in mine["measure"].unique() if m.startswith(JOINED_BY)]
    table.add_column("country")
    for measure in measures:
        table.add_column(measure.removeprefix("P(joined by ").removesuffix(")"), justify="right")
    table.add_column("median join")
    if variant != results.baseline and measures:
        table.add_column(f"Δ {measures[-1].removeprefix('P(joined ').removesuffix(')')}",
                         justify="right")  # fmt: skip
    for code in shown:
        rows = mine[mine["subject"] == code].set_index("measure")
        cells = [code]
        for measure in measures:
            row = rows.loc[measure]
            cells.append(with_interval(row["estimate"], row["low"], row["high"]))
        median = rows.loc["median join month"]
        cells.append(month_label(median["estimate"], start))
        if variant != results.baseline and measures:
            cells.append(difference(rows.loc[measures[-1]]))
        table.add_row(*cells)
    return table


def pact_table(mine: pd.DataFrame, variant: str, results: Results, paths: pd.DataFrame) -> Table:
    """New members, crises, peak tension and expansion paths of the pact."""
    baseline = variant == results.baseline
    table = Table(title=f"[bold]{variant}[/bold]: pact", title_justify="left")
    table.add_column("measure")
    table.add_column("estimate (95% CI)", justify="right")
    if not baseline:
        table.add_column(f"Δ vs {results.baseline} (95% CI), paired test", justify="right")
    for measure in ("P(any new member)", "P(crisis)", "mean peak tension"):
        for row in mine[mine["measure"] == measure].itertuples(index=False):
            is_share = measure.startswith("P(")
            label = measure if row.subject == "all" else f"{measure} {row.subject}"
            cells = [label, with_interval(row.estimate, row.low, row.high, as_percent=is_share)]
            if not baseline:
                cells.append(difference(row, as_percent=is_share))
            table.add_row(*cells)
    if not paths.empty:
        top = paths[paths["variant"] == variant]
        text = ", ".join(f"{row.path} {percent(row.share)}" for row in top.itertuples())
        table.add_row("top expansion paths", text, *([""] if not baseline else []))
    return table


PROCESS_COLUMNS = (
    ("median invitation month", "median invitation"),
    ("median last ratification month", "median last ratification"),
    ("mean hold-out months", "hold-out months"),
)


def process_rows(mine: pd.DataFrame, start: str | None) -> tuple[list[str], list[list[str]]]:
    """The accession process of the tracked bloc (MODEL.md P1 to P5) as plain cells: per
    candidate invited in at least 1% of the runs, the chance of being invited and of the last
    ratification by the last target, the median month of both and the mean hold-out months.
    Returns (column names, rows); shared by the terminal and the HTML report."""
    invited = [m for m in mine["measure"].unique() if m.startswith(PROCESS_TARGETS["invite"])]
    ratified = [m for m in mine["measure"].unique() if m.startswith(PROCESS_TARGETS["ratified"])]
    if not invited or not ratified:
        return [], []
    columns = ["country", invited[-1], ratified[-1], *(label for _, label in PROCESS_COLUMNS)]
    rows = []
    for code in dict.fromkeys(mine.loc[mine["measure"] == invited[-1], "subject"]):
        mine_code = mine[mine["subject"] == code].set_index("measure")
        if mine_code.loc[invited[-1], "estimate"] < SHOW_AT_LEAST:
            continue
        cells = [code]
        for measure in (invited[-1], ratified[-1]):
            row = mine_code.loc[measure]
            cells.append(with_interval(row["estimate"], row["low"], row["high"]))
        for measure, _ in PROCESS_COLUMNS:
            if measure not in mine_code.index:
                cells.append("–")
            elif measure.startswith("median"):
                cells.append(month_label(mine_code.loc[measure, "estimate"], start))
            else:
                row = mine_code.loc[measure]
                cells.append(with_interval(row["estimate"], row["low"], row["high"],
                                           as_percent=False))  # fmt: skip
        rows.append(cells)
    return columns, rows


def process_table(
    mine: pd.DataFrame, variant: str, baseline: str | None, start: str | None
) -> Table:
    """The pact's accession process, one row per candidate it invited (see
    :func:`process_rows`); for a variant, the paired difference from the baseline in the
    chance of the last ratification. ``summary.csv`` has every stage at every target."""
    columns, rows = process_rows(mine, start)
    compared = variant != baseline and bool(rows)
    versus = f" vs {baseline}" if compared else ""
    table = Table(title=f"[bold]{variant}[/bold]: accession process{versus}",
                  caption="95% intervals in brackets; months are calendar months",
                  title_justify="left")  # fmt: skip
    for k, column in enumerate(columns):
        name = column.removesuffix(")").replace("P(invited by ", "invited by ")
        name = name.replace("P(ratified by ", "ratified by ")
        table.add_column(name, justify="left" if k == 0 else "right")
    if compared:
        ratified = columns[2]
        table.add_column(f"Δ {ratified.removeprefix('P(').removesuffix(')')}", justify="right")
    for cells in rows:
        if compared:
            row = mine[(mine["measure"] == ratified) & (mine["subject"] == cells[0])].iloc[0]
            cells = [*cells, difference(row) if pd.notna(row.difference) else "–"]
        table.add_row(*cells)
    return table


def bloc_rows(mine: pd.DataFrame, bloc: str, start: str | None) -> list[tuple[str, str, str]]:
    """Another bloc's section as (measure, estimate (95% CI), paired difference or "") rows:
    whether it was founded, whether it grew, who joined it (the countries at 1% or more by the
    last target, with their median join month) and its top expansion path. Shared by the
    terminal and the HTML report."""
    rows = mine[mine["measure"].str.startswith(f"{bloc}: ")]
    rows = rows.assign(measure=rows["measure"].str.removeprefix(f"{bloc}: "))
    joined = [m for m in rows["measure"].unique() if m.startswith(JOINED_BY)]
    medians = rows[rows["measure"] == "median join month"].set_index("subject")["estimate"]
    found = []
    for row in rows.itertuples(index=False):
        shown = row.measure in (FOUNDED, "P(any new member)") or (
            joined and row.measure == joined[-1] and row.estimate >= SHOW_AT_LEAST
        )
        if not shown:
            continue
        label = row.measure
        if row.measure.startswith(JOINED_BY):
            median = month_label(medians.get(row.subject, math.nan), start)
            label = f"{row.subject} {row.measure} (median join {median})"
        change = difference(row) if pd.notna(row.difference) else ""
        found.append((label, with_interval(row.estimate, row.low, row.high), change))
    for row in rows[rows["measure"] == "top expansion path"].itertuples(index=False):
        found.append(("top expansion path", f"{row.subject} {percent(row.estimate)}", ""))
    return found


def bloc_table(
    mine: pd.DataFrame, variant: str, bloc: str, baseline: str | None, start: str | None
) -> Table:
    """Another bloc's section (see :func:`bloc_rows`), with the paired difference against the
    baseline for a variant."""
    rows = bloc_rows(mine, bloc, start)
    compared = variant != baseline and any(change for _, _, change in rows)
    table = Table(title=f"[bold]{variant}[/bold]: bloc {bloc}", title_justify="left")
    table.add_column("measure")
    table.add_column("estimate (95% CI)", justify="right")
    if compared:
        table.add_column(f"Δ vs {baseline} (95% CI), paired test", justify="right")
    for label, estimate, change in rows:
        table.add_row(label, estimate, *([change] if compared else []))
    return table


def model_table(summary: pd.DataFrame) -> Table:
    """Quantile summary of the values collected from a generic Mesa model."""
    table = Table(title="collected values at the end of each run", title_justify="left")
    quantiles = [c for c in summary.columns if c.startswith("p") and c[1:2].isdigit()]
    for name in ["variant", "value", "n", "mean", *quantiles, "median 95% CI"]:
        table.add_column(name, justify="left" if name in ("variant", "value") else "right")
    for row in summary.to_dict("records"):
        table.add_row(
            str(row["variant"]), str(row["column"]), str(int(row["n"])), f"{row['mean']:.4g}",
            *[f"{row[q]:.4g}" for q in quantiles],
            f"{row['median_low']:.4g}–{row['median_high']:.4g}",
        )  # fmt: skip
    return table


def patterns_table(results: list[PatternResult], *, start: str) -> Table:
    """Each pattern (name, measure) with its period, target, estimate (95% CI) and pass/fail."""
    table = Table(title="patterns", title_justify="left")
    table.add_column("pattern (measure)")
    table.add_column("period", no_wrap=True)
    table.add_column("target", no_wrap=True)
    table.add_column("estimate (95% CI)", justify="right")
    table.add_column("result", no_wrap=True)
    for result in results:
        pattern = result.pattern
        parts = (pattern.event, pattern.country, pattern.bloc and f"({pattern.bloc})",
                 pattern.variable)  # fmt: skip
        subject = " ".join(p for p in parts if p)
        as_percent = pattern.measure != "mean"
        low, high = pattern.target
        target = f"{percent(low)}–{percent(high)}" if as_percent else f"{low:g} to {high:g}"
        period = (
            f"{step_to_month(result.first_step, start=start)}–"
            f"{step_to_month(result.last_step, start=start)}"
        )
        estimate = with_interval(result.estimate, result.low, result.high, as_percent=as_percent)
        verdict = "[green]pass[/green]" if result.passed else "[bold red]FAIL[/bold red]"
        label = f"{pattern.name}\n[dim]{pattern.measure} {subject}[/dim]"
        table.add_row(label, period, target, estimate, verdict)
    return table
