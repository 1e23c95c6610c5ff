"""report.html: self-contained, escaped, and checked in a real headless Chromium."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from sim.experiment.spec import load_experiment
from sim.report.html import write_report
from sim.scenario.shipped import default_scenario_path
from sim.workflow import run_experiment

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCRIPT = "<script>alert('x')</script>"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def report(results_folder):
    return write_report(results_folder)


def test_the_report_is_one_self_contained_page(report):
    html = report.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 7  # every run figure, embedded
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    for section in ("Question", "Key assumptions", "Variants", "Differences between variants",
                    "Figures", "Provenance"):  # fmt: skip
        assert section in html
    assert "Does an early invitation to Bulgaria change the pact" in html
    assert "judgement: constitutional military neutrality anchors it" in html
    assert "2026-06: type: join, bloc: tirana, country: BGR — Bulgaria joins (hypothetical)" in html
    assert "20250318" in html and "sha256" in html


def test_text_from_files_is_escaped(tmp_path, write_experiment):
    data = yaml.safe_load(default_scenario_path().read_text())
    data["name"] = f"balkans {SCRIPT}"
    data["description"] = '<img src=x onerror="alert(1)">'
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(data, sort_keys=False))
    variants = {
        "baseline": {},
        "other": {"description": f"invite {SCRIPT}",
                  "events": [{"month": "2025-06", "type": "invite", "bloc": "tirana",
                              "country": "BGR", "note": f"<b>bold</b> {SCRIPT}"}]},
    }  # fmt: skip
    path = write_experiment(tmp_path, scenario=scenario, variants=variants, series="none",
                            replications=8, months=12, years=[1])  # fmt: skip
    folder = run_experiment(
        load_experiment(path), out=tmp_path / "out", executor="serial", progress=False, plots=False
    ).path
    html = write_report(folder, figures=["differences"]).read_text(encoding="utf-8")
    assert "<script" not in html and "<b>bold" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_the_report_renders_in_headless_chromium(report, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            tempfile.mkdtemp(dir=tmp_path), executable_path=CHROMIUM, headless=True,
            args=BROWSER_ARGS, offline=True,
        )  # fmt: skip
        try:
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: errors.append(f"request {r.url}")
                    if not r.url.startswith(("file:", "data:")) else None)  # fmt: skip
            page.goto(report.as_uri(), wait_until="load")
            widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
            tables = page.eval_on_selector_all("table", "ts => ts.map(t => t.rows.length)")
            title = page.title()
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            context.close()
    assert errors == []
    assert len(widths) == 7 and all(w > 0 for w in widths)
    assert len(tables) >= 5 and all(rows > 1 for rows in tables)
    assert title.startswith("small_question")
    assert shot.stat().st_size > 50_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "report.png")


def test_the_report_reuses_figures_drawn_after_the_last_change(results_folder, tmp_path):
    import base64

    folder = tmp_path / "copy"
    shutil.copytree(results_folder, folder)
    tiny = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9Q"
                            "DwADhgGAWjR9awAAAABJRU5ErkJggg==")  # fmt: skip
    (folder / "figures").mkdir(exist_ok=True)
    (folder / "figures" / "stages.png").write_bytes(tiny)
    reused = write_report(folder, figures=["stages"]).read_text(encoding="utf-8")
    assert base64.b64encode(tiny).decode() in reused
    redrawn = write_report(folder, figures=["stages"], redraw=True).read_text(encoding="utf-8")
    assert base64.b64encode(tiny).decode() not in redrawn and redrawn.count("base64,") == 1
    (folder / "summary.csv").touch()  # the folder changed after the figure: draw it again
    later = write_report(folder, figures=["stages"]).read_text(encoding="utf-8")
    assert base64.b64encode(tiny).decode() not in later


def test_the_report_of_a_generic_mesa_model_shows_its_collected_values(tmp_path):
    from sim.scenario.shipped import ROOT

    experiment = load_experiment(ROOT / "experiments" / "mesa_boltzmann.yaml", replications=4)
    folder = run_experiment(experiment, out=tmp_path, executor="serial", progress=False,
                            plots=True).path  # fmt: skip
    html = write_report(folder).read_text(encoding="utf-8")
    assert "Collected values at the end of each run" in html and "gini" in html
    assert "base64," not in html and "generic Mesa model" in html
    assert not (folder / "figures").exists()


def test_the_report_shows_the_accession_process_and_every_other_bloc(tmp_path, write_experiment):
    """A pact with ``accession: process`` (candidate D applies in month 2, is invited in month 3
    and ratified by all three members in month 4, with certain rates) and a second bloc: the
    page has the process table (D invited and ratified by year 1 in every run, median
    invitation 2000-04, last ratification 2000-05) and a table for the other bloc."""
    from tests.model.test_process import base

    data = base()
    data["countries"]["E"] = {"name": "E", "capability": 1.0, "alignment": -0.8, "lat": 30.0,
                              "lon": 40.0}  # fmt: skip
    data["blocs"]["east"] = {"members": ["E"]}
    scenario = tmp_path / "process.yaml"
    scenario.write_text(yaml.safe_dump(data, sort_keys=False))
    path = write_experiment(tmp_path, scenario=scenario, variants={"baseline": {}},
                            series="none", replications=8, months=24, years=[1])  # fmt: skip
    folder = run_experiment(load_experiment(path), out=tmp_path / "results", executor="serial",
                            progress=False, plots=False).path  # fmt: skip
    page = write_report(folder).read_text()
    process = page[page.index("Accession process: invitation and ratification") :]
    process = process[: process.index("</table>")]
    assert "<td>D</td>" in process
    assert process.count("100.0%") == 2  # invited and ratified by year 1
    assert "2000-04" in process and "2000-05" in process
    assert "<h3>Bloc east</h3>" in page
