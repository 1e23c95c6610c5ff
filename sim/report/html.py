"""``report.html``: one self-contained page per results folder.

The page holds the experiment's question, the scenario's key assumptions with their basis, the
variants, the summary tables, the differences between variants, the figures (PNG embedded as
base64: the page needs no other file and no network), sensitivity and discovery tables when the
folder has them, and the provenance from the manifest. It is rendered with Jinja2 with
autoescaping on, so text from scenario and experiment files (names, descriptions, event notes)
cannot inject markup.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from sim.analysis.bloc_summary import is_other_bloc, other_blocs
from sim.analysis.results import Results, open_results
from sim.analysis.summary import JOINED_BY
from sim.analysis.tables import (
    SHOW_AT_LEAST,
    bloc_rows,
    difference,
    month_label,
    percent,
    process_rows,
    with_interval,
)
from sim.experiment.figures import FIGURES
from sim.experiment.store import atomic_write_bytes, sha256_file
from sim.report.assumptions import scenario_assumptions
from sim.report.drawing import FIGURES_FOLDER, draw_figures, figure_bytes, figure_plan

REPORT = "report.html"
EXTRA_TABLES = {  # files a sweep, its sensitivity and its discovery leave -> title
    "sensitivity.csv": "Sensitivity indices",
    "discovery_box.csv": "Scenario discovery: the chosen PRIM box",
    "discovery_features.csv": "Scenario discovery: feature scores",
    "discovery_tree.csv": "Scenario discovery: CART leaves",
    "design_summary.csv": "Per design point",
}
EXTRA_ROWS = 40


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sim.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _variants(results: Results) -> list[dict[str, Any]]:
    experiment = results.experiment
    rows = []
    for name in results.variants:
        variant = (experiment.get("variants") or {}).get(name) or {}
        changes = [f"{path} = {value}" for path, value in (variant.get("overrides") or {}).items()]
        changes += [f"without event {event_id}" for event_id in variant.get("remove_events") or []]
        replaced = (variant.get("replace_events") or {}).items()
        for prefix, event in [*(("", e) for e in variant.get("events") or []),
                              *((f"event {i} replaced by ", e) for i, e in replaced)]:  # fmt: skip
            what = ", ".join(f"{k}: {v}" for k, v in event.items()
                             if k not in ("month", "note") and v is not None)  # fmt: skip
            note = f" — {event['note']}" if event.get("note") else ""
            changes.append(f"{prefix}{event.get('month')}: {what}{note}")
        rows.append({"name": name, "description": variant.get("description", ""),
                     "changes": changes, "baseline": name == results.baseline})  # fmt: skip
    return rows


def _country_table(results: Results, summary: pd.DataFrame, start: str | None) -> dict[str, Any]:
    joined = summary[summary["measure"].str.startswith(JOINED_BY)]
    shown = list(dict.fromkeys(joined.loc[joined["estimate"] >= SHOW_AT_LEAST, "subject"]))
    measures = list(dict.fromkeys(joined["measure"]))
    columns = ["country", "variant", *[m.removeprefix("P(joined ").removesuffix(")")
                                       for m in measures], "median join"]  # fmt: skip
    paired = len(results.variants) > 1 and summary["difference"].notna().any()
    if paired and measures:
        columns.append(f"Δ {measures[-1].removeprefix('P(joined ').removesuffix(')')} vs baseline")
    rows = []
    names = {c: v.get("name", c) for c, v in (results.manifest.get("scenario") or {}).get(
        "countries", {}).items()}  # fmt: skip
    for code in shown:
        for variant in results.variants:
            mine = summary[(summary["subject"] == code) & (summary["variant"] == variant)]
            mine = mine.set_index("measure")
            cells = [f"{names.get(code, code)} ({code})", variant]
            cells += [with_interval(*mine.loc[m, ["estimate", "low", "high"]]) for m in measures]
            if "median join month" in mine.index:
                cells.append(month_label(mine.loc["median join month", "estimate"], start))
            else:
                cells.append("–")
            if paired and measures:
                cells.append(difference(mine.loc[measures[-1]]))
            rows.append(cells)
    hidden = [c for c in results.candidates if c not in shown]
    note = "95% Wilson intervals in brackets."
    if hidden:
        note += f" Not listed (under 1% in every variant): {', '.join(hidden)}."
    return {"title": "Accession: who joins, and when", "columns": columns, "rows": rows,
            "note": note, "text_columns": 2}  # fmt: skip


def _pact_table(results: Results, summary: pd.DataFrame) -> dict[str, Any]:
    rows = []
    for measure in ("P(any new member)", "P(crisis)", "mean peak tension"):
        part = summary[summary["measure"] == measure]
        for subject in dict.fromkeys(part["subject"]):
            label = measure if subject == "all" else f"{measure} {subject}"
            cells = [label]
            for variant in results.variants:
                row = part[(part["subject"] == subject) & (part["variant"] == variant)]
                if row.empty:
                    cells.append("–")
                    continue
                row = row.iloc[0]
                cells.append(with_interval(row["estimate"], row["low"], row["high"],
                                           as_percent=measure.startswith("P(")))  # fmt: skip
            rows.append(cells)
    paths = results.paths(top=3)
    if not paths.empty:
        cells = ["top expansion paths"]
        for variant in results.variants:
            top = paths[paths["variant"] == variant]
            cells.append(", ".join(f"{r.path} {percent(r.share)}" for r in top.itertuples()))
        rows.append(cells)
    return {"title": "The pact: growth, crises, tension", "columns": ["measure", *results.variants],
            "rows": rows, "note": "95% intervals in brackets; tension in model units.",
            "text_columns": 1}  # fmt: skip


def _process_table(results: Results, summary: pd.DataFrame, start: str | None) -> dict | None:
    """The pact's accession process per invited candidate and variant (None without one)."""
    columns, rows = [], []
    for variant in results.variants:
        mine = summary[(summary["variant"] == variant) & ~summary["measure"].map(is_other_bloc)]
        names, cells = process_rows(mine, start)
        if cells:
            columns = [names[0], "variant", *names[1:]]
            rows += [[row[0], variant, *row[1:]] for row in cells]
    if not rows:
        return None
    order = list(dict.fromkeys(row[0] for row in rows))
    rows.sort(key=lambda row: order.index(row[0]))  # each country's variants together
    note = (
        "Candidates invited in at least 1% of the runs; 95% intervals in brackets; the last "
        "ratification is the month the last member ratified (MODEL.md P3)."
    )
    return {"title": "Accession process: invitation and ratification", "columns": columns,
            "rows": rows, "text_columns": 2, "note": note}  # fmt: skip


def _bloc_tables(results: Results, summary: pd.DataFrame, start: str | None) -> list[dict]:
    """A table per bloc other than the tracked one: founded, grew, who joined, top path."""
    tables = []
    for bloc in other_blocs(results.run_columns):
        rows = []
        for variant in results.variants:
            mine = summary[summary["variant"] == variant]
            rows += [[variant, label, estimate, change or "–"]
                     for label, estimate, change in bloc_rows(mine, bloc, start)]  # fmt: skip
        columns = ["variant", "measure", "estimate (95% CI)", f"Δ vs {results.baseline} (95% CI)"]
        note = "Its countries at 1% or more by the last target; 95% intervals in brackets."
        if rows:
            tables.append({"title": f"Bloc {bloc}", "columns": columns, "rows": rows,
                           "text_columns": 2, "note": note})  # fmt: skip
    return tables


def _model_table(summary: pd.DataFrame) -> dict[str, Any]:
    quantiles = [c for c in summary.columns if c.startswith("p") and c[1:2].isdigit()]
    rows = [[str(r["variant"]), str(r["column"]), str(int(r["n"])), f"{r['mean']:.4g}",
             *[f"{r[q]:.4g}" for q in quantiles], f"{r['median_low']:.4g}–{r['median_high']:.4g}"]
            for r in summary.to_dict("records")]  # fmt: skip
    return {"title": "Collected values at the end of each run", "note": "",
            "columns": ["variant", "value", "n", "mean", *quantiles, "median 95% CI"],
            "rows": rows, "text_columns": 2}  # fmt: skip


def _differences(results: Results, summary: pd.DataFrame) -> dict[str, Any] | None:
    if "difference" not in summary or "measure" not in summary:
        return None  # a generic Mesa model's summary: quantiles, no paired differences
    summary = summary[~summary["measure"].map(is_other_bloc)]  # the tracked bloc's rows
    paired = summary[summary["difference"].notna()]
    joined = summary[summary["measure"].str.startswith(JOINED_BY)]
    hidden = set(joined["subject"]) - set(
        joined.loc[joined["estimate"] >= SHOW_AT_LEAST, "subject"]
    )
    paired = paired[~(paired["measure"].str.startswith(JOINED_BY)
                      & paired["subject"].isin(hidden))]  # fmt: skip
    if paired.empty:
        return None
    rows = []
    for row in paired.itertuples(index=False):
        share = row.measure.startswith("P(")
        label = row.measure if row.subject == "all" else f"{row.measure} {row.subject}"
        rows.append([row.variant, label,
                     with_interval(row.estimate, row.low, row.high, as_percent=share),
                     difference(row, as_percent=share)])  # fmt: skip
    columns = ["variant", "measure", "estimate (95% CI)",
               f"Δ vs {results.baseline} (95% CI), paired test"]  # fmt: skip
    return {"columns": columns, "rows": rows}


def _extras(results: Results) -> list[dict[str, Any]]:
    tables = []
    for name, title in EXTRA_TABLES.items():
        path = results.path / name
        if not path.is_file():
            continue
        frame = pd.read_csv(path)
        note = f"From {name}" + (f" (first {EXTRA_ROWS} of {len(frame)} rows)"
                                 if len(frame) > EXTRA_ROWS else "")  # fmt: skip
        rows = [[_cell(v) for v in row] for row in frame.head(EXTRA_ROWS).itertuples(index=False)]
        tables.append({"title": title, "columns": list(frame.columns), "rows": rows,
                       "note": note})  # fmt: skip
    return tables


def _discovery_sentence(results: Results) -> str:
    """The chosen box of ``discovery.json`` in one sentence ("" if none)."""
    path = results.path / "discovery.json"
    if not path.is_file():
        return ""
    try:
        return str(json.loads(path.read_text(encoding="utf-8")).get("sentence", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def _provenance(results: Results) -> list[tuple[str, str]]:
    manifest = results.manifest
    files = manifest.get("files") or {}
    rows = [("results folder", str(results.path)), ("status", results.status),
            ("started", str(manifest.get("started", ""))),
            ("finished", str(manifest.get("finished", "")))]  # fmt: skip
    for kind in ("experiment", "scenario"):
        entry = files.get(kind) or {}
        if entry:
            rows.append((f"{kind} file", f"{entry.get('path')} (sha256 {entry.get('sha256')})"))
    rows += [
        ("master seed", str(manifest.get("master_seed"))),
        ("common random numbers", str(manifest.get("common_random_numbers"))),
        ("engine", str(manifest.get("engine"))),
        ("executor", ", ".join(f"{k} {v}" for k, v in (manifest.get("runs_with") or {}).items())),
        ("failed runs", str(results.failed_count)),
        ("pending runs", str(results.pending_count)),
        ("experiment hash", str(manifest.get("experiment_sha256", ""))),
        ("scenario hash", str(manifest.get("scenario_sha256", ""))),
    ]
    versions = manifest.get("versions") or {}
    rows.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    return rows


def _assumptions(results: Results) -> tuple[list[Any], str, str, list[str]]:
    """The assumptions, where they were read from, why they are missing, and warnings."""
    entry = (results.manifest.get("files") or {}).get("scenario") or {}
    path = entry.get("path")
    if not path:
        return [], "", "This experiment has no scenario file (a generic Mesa model).", []
    if not Path(path).is_file():
        return (
            [],
            path,
            f"The scenario file {path} is no longer there; its comments are not "
            "available (the resolved values are in manifest.json).",
            [],
        )
    warnings = []
    if entry.get("sha256") and sha256_file(path) != entry["sha256"]:
        warnings.append(f"The scenario file {path} has changed since the run: the assumptions "
                        "below are read from the file as it is now.")  # fmt: skip
    try:
        found = scenario_assumptions(path)
    except (OSError, ValueError) as err:
        return [], path, f"The scenario file {path} could not be read ({err}).", warnings
    return found, path, "The scenario file has no comments on its values.", warnings


def report_context(results: Results, figures: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """Everything the template shows, as plain values (figures as PNG bytes by name)."""
    experiment = results.experiment
    scenario = results.manifest.get("scenario") or {}
    summary = results.summary
    start = scenario.get("start")
    assumptions, scenario_file, missing, warnings = _assumptions(results)
    if results.status != "complete":
        warnings.insert(0, f"These results are {results.status}: {results.failed_count} failed "
                        f"and {results.pending_count} pending runs are not included.")  # fmt: skip
    tables: list[dict[str, Any]] = []
    if not summary.empty:
        if experiment.get("model"):
            tables = [_model_table(summary)]
        else:
            tables = [_country_table(results, summary, start), _pact_table(results, summary)]
            process = _process_table(results, summary, start)
            tables += ([process] if process else []) + _bloc_tables(results, summary, start)
    plan = figure_plan(results, list(FIGURES))
    horizon = f"{experiment.get('months')} months" if not experiment.get("model") else \
        f"{experiment.get('steps')} steps"  # fmt: skip
    return {
        "name": results.manifest["name"],
        "scenario_name": scenario.get("name") or experiment.get("model") or "",
        "scenario_description": scenario.get("description", ""),
        "scenario_file": scenario_file,
        "question": experiment.get("description", ""),
        "replications": f"{int(experiment['replications']):,}",
        "seed": experiment.get("seed"),
        "horizon": horizon + (f" from {start}" if start else ""),
        "status": results.status,
        "warnings": warnings,
        "assumptions": assumptions,
        "assumptions_missing": missing,
        "variants": _variants(results),
        "tables": tables,
        "differences": None if summary.empty else _differences(results, summary),
        "figures": [
            {
                "name": name,
                "description": FIGURES[name],
                "data": base64.b64encode(png).decode("ascii"),
            }
            for name, png in figures
        ],
        "skipped": [(name, reason) for name, reason in plan.items() if reason],
        "extras": _extras(results),
        "discovery_sentence": _discovery_sentence(results),
        "provenance": _provenance(results),
        "experiment_file": ((results.manifest.get("files") or {}).get("experiment") or {}).get(
            "path", "EXPERIMENT.yaml"
        ),
    }


def _saved_png(results: Results, name: str) -> bytes | None:
    """``figures/<name>.png`` if it was drawn after the folder's last change, else None."""
    path = results.path / FIGURES_FOLDER / f"{name}.png"
    inputs = [results.folder.manifest_path, results.folder.summary_path]
    if not path.is_file():
        return None
    newest = max(p.stat().st_mtime for p in inputs if p.is_file())
    return path.read_bytes() if path.stat().st_mtime >= newest else None


def render_report(
    results: Results, figures: Sequence[str] | None = None, *, redraw: bool = False
) -> str:
    """The report page of a results folder as HTML text, with the figures named (default:
    every figure that applies) embedded: those in ``figures/`` drawn after the folder last
    changed are reused (unless ``redraw``), the others drawn."""
    names = list(FIGURES) if figures is None else list(figures)
    plan = figure_plan(results, names) if names else {}
    saved = {} if redraw else {n: _saved_png(results, n) for n, reason in plan.items()
                               if reason is None}  # fmt: skip
    missing = [name for name, reason in plan.items() if reason is None and not saved.get(name)]
    drawn = dict(saved)
    if missing:  # an empty list would mean "the experiment's figures" to draw_figures
        drawn.update((name, figure_bytes(f)) for name, f in draw_figures(results, missing))
    embedded = [(name, drawn[name]) for name in plan if drawn.get(name)]
    return _environment().get_template("report.html.j2").render(report_context(results, embedded))


def write_report(
    path: str | Path,
    *,
    out: str | Path | None = None,
    figures: Sequence[str] | None = None,
    redraw: bool = False,
) -> Path:
    """Write ``report.html`` for a results folder (atomically) and return its path.

    Parameters
    ----------
    path : str or Path
        A results folder written by ``alliance-sim run``.
    out : str or Path, optional
        Where to write the page; default ``<folder>/report.html``.
    figures : sequence of str, optional
        Figures to embed; default every figure that applies.
    redraw : bool, keyword-only
        Draw every figure again, even those ``figures/`` holds from after the folder's last
        change (which are otherwise reused: ``alliance-sim run`` has just drawn them).

    Raises
    ------
    ResultsFolderError
        If the folder has no manifest.
    """
    results = open_results(path)
    target = Path(out) if out is not None else results.path / REPORT
    atomic_write_bytes(target, render_report(results, figures, redraw=redraw).encode("utf-8"))
    return target
