"""The runner: identical results whatever the executor, chunk size or engine; failures,
interruption and resume; the CLI; every shipped experiment runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
import yaml

import sim.experiment.chunks
import sim.experiment.runner
from sim import cli, load_experiment, run_experiment
from sim.analysis.results import open_results
from sim.experiment.seeds import run_seed
from sim.experiment.store import ResultsFolder, parquet_bytes
from sim.scenario.shipped import ROOT, default_scenario_path
from tests.conftest import assert_same_outcomes

MASTER = 7
REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "alliance-sim"


class FailingModel(mesa.Model):
    """A tiny Mesa model that raises for one or two seeds (test-only, for the failure tests)."""

    def __init__(self, bad_seed: int = -1, other_bad_seed: int = -1, rng=None) -> None:
        super().__init__(rng=rng)
        if rng == bad_seed:
            raise RuntimeError("injected failure for this seed")
        if rng == other_bad_seed:
            raise MemoryError("another injected failure")
        self.value = 0.0

    def step(self) -> None:
        self.value += float(self.rng.random())

    def doubled(self) -> float:
        return 2 * self.value


def write_experiment(folder: Path, **changes) -> Path:
    data = {
        "name": "small",
        "scenario": str(default_scenario_path()),
        "variants": {
            "baseline": {},
            "invited": {"events": [{"month": "2025-06", "type": "invite", "bloc": "tirana",
                                    "country": "BGR"}]},
            "welcome": {"overrides": {"patrons.west.endorsement": 0.4}},
        },
        "replications": 40,
        "seed": MASTER,
        "months": 36,
        "years": [1, 3],
    }  # fmt: skip
    data.update(changes)
    data["years"] = [year for year in data["years"] if 12 * year <= data["months"]]
    path = folder / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def sorted_runs(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.sort_values(["variant", "replication"], ignore_index=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted serial run of the small experiment, in one chunk per variant."""
    folder = tmp_path_factory.mktemp("reference")
    experiment = load_experiment(write_experiment(folder))
    return run_experiment(experiment, out=folder / "out", executor="serial", chunk_size=40,
                          progress=False)  # fmt: skip


def test_rows_are_in_variant_then_replication_order_with_their_seeds(reference):
    runs = reference.runs
    assert list(runs["variant"].unique()) == ["baseline", "invited", "welcome"]
    assert (
        runs.groupby("variant", sort=False)["replication"].apply(list).tolist()
        == [list(range(40))] * 3
    )
    assert list(runs.columns[:4]) == ["variant", "design_id", "replication", "seed"]
    # common random numbers: replication k has the same seed in every variant
    expected = [run_seed(MASTER, k) for k in range(40)] * 3
    assert runs["seed"].tolist() == expected
    assert reference.status == "complete"


def test_processes_and_chunk_size_give_byte_identical_runs(reference, tmp_path):
    experiment = load_experiment(write_experiment(tmp_path))
    parallel = run_experiment(experiment, out=tmp_path / "p", executor="processes", workers=2,
                              chunk_size=15, progress=False)  # fmt: skip
    chunked = run_experiment(experiment, out=tmp_path / "s", executor="serial", chunk_size=7,
                             progress=False)  # fmt: skip
    assert len(parallel.manifest["tasks"]) == 9 and len(chunked.manifest["tasks"]) == 18
    for other in (parallel, chunked):
        pd.testing.assert_frame_equal(other.runs, reference.runs, check_exact=True)
        assert parquet_bytes(sorted_runs(other.runs)) == parquet_bytes(sorted_runs(reference.runs))
        pd.testing.assert_frame_equal(other.summary, reference.summary, check_exact=True)


def test_mesa_and_batch_engines_give_the_same_rows(tmp_path):
    path = write_experiment(tmp_path, replications=4, months=24, outputs={"series": "yearly"})
    batch = run_experiment(
        load_experiment(path), out=tmp_path / "b", executor="serial", progress=False
    )
    mesa_run = run_experiment(
        load_experiment(path, engine="mesa"), out=tmp_path / "m", executor="serial", progress=False
    )
    assert mesa_run.manifest["engine"] == "mesa"
    assert_same_outcomes(mesa_run.runs, batch.runs)
    assert_same_outcomes(mesa_run.series, batch.series)
    assert batch.series.groupby("variant", sort=False).size().tolist() == [4 * 2] * 3


def test_without_common_random_numbers_each_variant_has_its_own_seeds(tmp_path):
    path = write_experiment(tmp_path, replications=3, months=12, common_random_numbers=False)
    runs = run_experiment(path, out=tmp_path / "out", executor="serial", progress=False).runs
    for index, variant in enumerate(["baseline", "invited", "welcome"]):
        seeds = runs.loc[runs["variant"] == variant, "seed"].tolist()
        assert seeds == [run_seed(MASTER, k, design_point=index) for k in range(3)]


def test_python_api_returns_the_tables_and_reads_them_back(reference):
    again = open_results(reference.path)
    pd.testing.assert_frame_equal(again.runs, reference.runs)
    assert set(reference.summary["variant"]) == {"baseline", "invited", "welcome"}
    assert (reference.path / "summary.csv").is_file()
    assert reference.series is None
    manifest = json.loads((reference.path / "manifest.json").read_text())
    assert manifest["master_seed"] == MASTER
    assert {"python", "numpy", "mesa", "pandas", "alliance-sim"} <= set(manifest["versions"])
    assert len(manifest["experiment_sha256"]) == 64 and len(manifest["scenario_sha256"]) == 64
    assert manifest["started"] and manifest["finished"]
    assert {task["status"] for task in manifest["tasks"]} == {"done"}


# --- failures ----------------------------------------------------------------------------------


def model_experiment(folder: Path, bad_replication: int = 3, other_bad: int = -1) -> Path:
    return write_experiment(
        folder,
        name="failing",
        scenario=None,
        model="tests.experiment.test_runner:FailingModel",
        parameters={
            "bad_seed": run_seed(MASTER, bad_replication),
            "other_bad_seed": run_seed(MASTER, other_bad) if other_bad >= 0 else -1,
        },
        collect=["value", "doubled"],
        steps=5,
        variants={},
        replications=10,
    )


def test_a_failing_run_is_recorded_and_the_others_complete(tmp_path, capsys):
    path = model_experiment(tmp_path)
    code = cli.main(["run", str(path), "--out", str(tmp_path / "out"), "--executor", "serial",
                     "--chunk-size", "4"])  # fmt: skip
    assert code == 1
    printed = capsys.readouterr()
    assert "1 run(s) failed" in printed.err
    assert "injected failure for this seed" in printed.err
    assert "fix the experiment and run it with a new --out" in printed.err  # a rerun repeats it
    assert "--resume" not in printed.err
    results = open_results(tmp_path / "out" / "failing")
    assert results.failed_count == 1
    assert results.failures[0]["replication"] == 3
    assert results.runs["replication"].tolist() == [0, 1, 2, 4, 5, 6, 7, 8, 9]
    assert np.allclose(results.runs["doubled"], 2 * results.runs["value"])
    statuses = [task["status"] for task in results.manifest["tasks"]]
    assert statuses == ["failed", "done", "done"]  # replication 3 is in the first chunk of 4
    assert set(results.summary["column"]) == {"value", "doubled"}


def test_resume_is_suggested_only_when_the_failures_differ(tmp_path, capsys):
    path = model_experiment(tmp_path, bad_replication=3, other_bad=6)
    assert cli.main(["run", str(path), "--out", str(tmp_path / "out"), "--executor",
                     "serial"]) == 1  # fmt: skip
    printed = " ".join(capsys.readouterr().err.split())
    assert "2 run(s) failed" in printed
    assert "rerun the failed runs with --resume" in printed and "new --out" not in printed


def test_a_failing_batch_chunk_is_retried_run_by_run(tmp_path, monkeypatch, reference):
    bad_seed = run_seed(MASTER, 5)
    original = sim.experiment.chunks.simulate_batch

    def fragile(world, seeds, **kwargs):
        if bad_seed in [int(s) for s in seeds]:
            raise FloatingPointError("injected")
        return original(world, seeds, **kwargs)

    monkeypatch.setattr(sim.experiment.chunks, "simulate_batch", fragile)
    experiment = load_experiment(write_experiment(tmp_path))
    results = run_experiment(experiment, out=tmp_path / "out", executor="serial", chunk_size=40,
                             progress=False)  # fmt: skip
    assert results.failed_count == 3  # replication 5 of each variant
    assert {f["replication"] for f in results.failures} == {5}
    expected = reference.runs[reference.runs["replication"] != 5].reset_index(drop=True)
    pd.testing.assert_frame_equal(results.runs, expected, check_exact=True)


def test_the_manifest_is_saved_every_few_seconds_not_after_every_task(tmp_path, monkeypatch):
    saved = []
    write = ResultsFolder.write_manifest
    monkeypatch.setattr(ResultsFolder, "write_manifest",
                        lambda self, manifest: (saved.append(manifest["status"]),
                                                write(self, manifest)))  # fmt: skip
    path = write_experiment(tmp_path, replications=20, months=12)  # 3 variants: 30 tasks of 2
    for seconds, expected in ((3600.0, 2), (0.0, 2 + 30)):
        saved.clear()
        monkeypatch.setattr(sim.experiment.runner, "MANIFEST_SECONDS", seconds)
        run_experiment(path, out=tmp_path / f"out{seconds}", executor="serial", chunk_size=2,
                       progress=False)  # fmt: skip
        assert len(saved) == expected
        assert saved[0] == "running" and saved[-1] == "complete"


def test_an_error_in_the_executor_leaves_the_manifest_failed_not_running(tmp_path, monkeypatch):
    class Broken:
        name, workers = "broken", 1

        def imap_unordered(self, fn, items):
            raise MemoryError("injected")
            yield

    monkeypatch.setattr(sim.experiment.runner, "make_executor", lambda *args, **kwargs: Broken())
    path = write_experiment(tmp_path, replications=2, months=12)
    with pytest.raises(MemoryError, match="injected"):
        run_experiment(path, out=tmp_path / "out", progress=False)
    manifest = json.loads((tmp_path / "out" / "small" / "manifest.json").read_text())
    assert manifest["status"] == "failed"


# --- interruption and resume ---------------------------------------------------------------------


HANG = 900  # seconds: a guard against a hung process, not a speed limit (CI machines get busy)


def start_cli(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120"}
    return subprocess.Popen([str(SCRIPT), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def wait_for_a_part(folder: Path, process: subprocess.Popen, timeout: float = HANG) -> None:
    deadline = time.monotonic() + timeout
    while not any((folder / "runs").glob("*.parquet")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no part appeared"
        time.sleep(0.01)


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT", "SIGTERM"])
def test_killed_run_leaves_whole_parts_and_resumes_to_identical_tables(tmp_path, reference, how):
    path = write_experiment(tmp_path, replications=40)
    out = tmp_path / "out"
    folder = out / "small"
    args = ["run", str(path), "--out", str(out), "--executor", "serial", "--chunk-size", "2",
            "--no-plots"]  # fmt: skip
    process = start_cli(args)
    wait_for_a_part(folder, process)
    assert process.poll() is None, "the run finished before it could be stopped"
    process.send_signal(getattr(signal, how))
    _, err = process.communicate(timeout=HANG)
    if how == "SIGKILL":
        assert process.returncode == -signal.SIGKILL
        assert str(process.pid) in (folder / ".lock").read_text()  # the system released it
    else:
        assert process.returncode == 130
        assert "--resume" in err
        assert (folder / ".lock").read_text() == ""  # released
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == ("running" if how == "SIGKILL" else "interrupted")
    assert any(task["status"] == "pending" for task in manifest["tasks"])
    parts = list((folder / "runs").glob("*.parquet"))  # temporary files have other names
    assert parts
    for part in parts:
        assert len(pd.read_parquet(part)) == 2  # every part reads, whole
    refused = start_cli(args)
    _, refusal = refused.communicate(timeout=HANG)  # read as it runs: a full pipe would block it
    assert refused.returncode == 2 and "use --resume" in refusal
    resumed = start_cli([*args, "--resume"])
    _, resume_err = resumed.communicate(timeout=HANG)
    assert resumed.returncode == 0, resume_err
    results = open_results(folder)
    assert results.status == "complete"
    pd.testing.assert_frame_equal(results.runs, reference.runs, check_exact=True)
    pd.testing.assert_frame_equal(results.summary, reference.summary, check_exact=True)


# --- CLI and shipped experiments ---------------------------------------------------------------


def test_cli_run_prints_the_summary_and_summarize_rewrites_it(tmp_path, capsys, reference):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out), "--replications", "40"]) == 0
    printed = capsys.readouterr().out
    for text in ("baseline: accession", "invited: pact", "P(any new member)", "Δ vs baseline",
                 "top expansion paths"):  # fmt: skip
        assert text in " ".join(printed.split()), text
    assert str(out / "small") in "".join(printed.split())  # a long path wraps anywhere
    summary = out / "small" / "summary.csv"
    before = summary.read_bytes()
    summary.unlink()
    assert cli.main(["summarize", str(out / "small")]) == 0
    assert summary.read_bytes() == before
    assert "welcome: accession" in capsys.readouterr().out


def smaller_sweep(path: Path, folder: Path) -> Path:
    """A shipped sweep with few samples and a short horizon, in ``folder``; others as they are."""
    data = yaml.safe_load(path.read_text())
    sweep = data.get("sweep")
    if sweep is None:
        return path
    if "samples" in sweep:
        sweep["samples"] = {"sobol": 4, "morris": 2}.get(sweep["type"], 10)
    if "model" in data:
        data["steps"] = 10
    else:
        data["months"], data["years"] = 24, [1]
        data["scenario"] = str((path.parent / data["scenario"]).resolve())
    smaller = folder / path.name
    smaller.write_text(yaml.safe_dump(data))
    return smaller


@pytest.mark.parametrize(
    "path", sorted((ROOT / "experiments").glob("*.yaml")), ids=lambda p: p.stem
)
def test_every_shipped_experiment_runs(path, tmp_path, capsys):
    path = smaller_sweep(path, tmp_path)
    code = cli.main(["run", str(path), "--out", str(tmp_path), "--replications", "6",
                     "--executor", "serial"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    experiment = load_experiment(path)
    results = open_results(tmp_path / experiment.name)
    assert list(pd.unique(results.summary["variant"])) == experiment.variant_names
    assert len(results.runs) == 6 * len(experiment.variant_names) * experiment.points
    if experiment.sweep is not None:
        assert len(results.design) == experiment.points
        assert set(results.design_summary["outcome"]) == set(results.outcomes())
    if experiment.series_every:
        assert results.series is not None and len(results.series)
