"""The results folder: atomic parts, the lock, no overwriting, resuming only like with like."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim.experiment.chunks
import sim.experiment.tasks
from sim import load_experiment, run_experiment
from sim.errors import ConfigError
from sim.experiment.chunks import Chunk, run_chunk
from sim.experiment.store import (
    ResultsFolder,
    ResultsFolderError,
    parquet_bytes,
    sha256_json,
    write_part,
)
from sim.scenario.shipped import default_scenario_path


@pytest.fixture
def experiment_path(tmp_path):
    data = {
        "name": "tiny",
        "scenario": str(default_scenario_path()),
        "variants": {"baseline": {}, "welcome": {"overrides": {"patrons.west.endorsement": 0.3}}},
        "replications": 6,
        "seed": 3,
        "months": 12,
        "outputs": {"series": "monthly"},
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


HOLD = """
import sys, time
from sim.experiment.store import ResultsFolder
with ResultsFolder(sys.argv[1]).locked():
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def holder():
    """Start another process that holds a folder's lock until it is killed or the test ends."""
    started = []

    def hold(path) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-c", HOLD, str(path)],
                                   stdout=subprocess.PIPE, text=True)  # fmt: skip
        started.append(process)
        assert process.stdout.readline() == "locked\n"
        return process

    yield hold
    for process in started:
        process.kill()
        process.wait()


def test_a_part_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    frame = pd.DataFrame({"variant": ["a", "b"], "value": [1.0, 2.0]})
    target = tmp_path / "runs" / "part-a-00000.parquet"
    write_part(frame, target)
    assert list(target.parent.iterdir()) == [target]  # no temporary file left
    pd.testing.assert_frame_equal(pd.read_parquet(target), frame)

    def crash(*args):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        write_part(frame.assign(value=[9.0, 9.0]), target)
    pd.testing.assert_frame_equal(pd.read_parquet(target), frame)  # the old part is intact
    assert sorted(p.name for p in target.parent.glob("*.parquet")) == [target.name]


def test_parquet_bytes_are_deterministic():
    frame = pd.DataFrame({"variant": ["a"] * 3, "x": [0.1, 0.2, float("nan")]})
    assert parquet_bytes(frame) == parquet_bytes(frame.copy())


def test_canonical_hash_ignores_key_order():
    assert sha256_json({"a": 1, "b": [1, 2]}) == sha256_json({"b": [1, 2], "a": 1})
    assert sha256_json({"a": 1}) != sha256_json({"a": 2})


def test_lock_refuses_a_second_run_while_the_first_holds_it(tmp_path, holder):
    folder = ResultsFolder(tmp_path / "out")
    other = holder(folder.path)
    with (
        pytest.raises(ResultsFolderError, match=rf"in use by process {other.pid} on "),
        folder.locked(),
    ):
        pass
    assert json.loads(folder.lock_path.read_text())["pid"] == other.pid  # left alone


def test_a_lock_file_being_written_is_not_taken_for_stale(tmp_path, holder):
    # The holder writes its pid after taking the lock: a reader may see the file empty or
    # half-written. That must not let a second process in (it did with an O_EXCL lock file).
    folder = ResultsFolder(tmp_path / "out")
    holder(folder.path)
    for content in ("", '{"pid": 12'):
        folder.lock_path.write_text(content)
        with pytest.raises(ResultsFolderError, match=r"in use by another process"):
            with folder.locked():
                pass
        assert folder.lock_path.read_text() == content


def test_the_lock_is_exclusive_within_one_process_too(tmp_path):
    folder = ResultsFolder(tmp_path / "out")
    with folder.locked():
        with pytest.raises(ResultsFolderError, match=rf"in use by process {os.getpid()} "):
            with ResultsFolder(tmp_path / "out").locked():
                pass
    with folder.locked():  # released
        pass


def test_the_lock_of_a_killed_process_is_released_by_the_system(tmp_path, holder):
    folder = ResultsFolder(tmp_path / "out")
    other = holder(folder.path)
    other.kill()
    other.wait()
    assert json.loads(folder.lock_path.read_text())["pid"] == other.pid  # the file remains
    with folder.locked():
        assert json.loads(folder.lock_path.read_text())["pid"] == os.getpid()
    assert folder.lock_path.read_text() == ""  # the file stays, naming no owner


def test_running_into_a_folder_in_use_is_refused(tmp_path, experiment_path, holder):
    holder(tmp_path / "out" / "tiny")
    with pytest.raises(ResultsFolderError, match=r"in use by process .*use another --out"):
        run_experiment(experiment_path, out=tmp_path / "out", progress=False)
    assert not (tmp_path / "out" / "tiny" / "manifest.json").exists()


def test_out_that_is_a_file_or_not_writable_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(ResultsFolderError, match=rf"Not a directory \({blocker} is a file"):
        with ResultsFolder(blocker / "tiny").locked():
            pass

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(ResultsFolderError, match=r"tiny: cannot create .*Permission denied"):
        with ResultsFolder(tmp_path / "readonly" / "tiny").locked():
            pass


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{}", "missing key 'format'"),
        ("[]", "expected a JSON object, found list"),
        ("{", "not a readable manifest"),
        (json.dumps({**{k: 1 for k in ("format", "name", "experiment", "status")},
                     "tasks": [{"id": "a"}]}), "missing key tasks.0.variant"),
    ],
)  # fmt: skip
def test_a_broken_manifest_is_named_with_what_is_missing(tmp_path, experiment_path, text, problem):
    folder = tmp_path / "out" / "tiny"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(text)
    with pytest.raises(ResultsFolderError, match=rf"manifest\.json: .*{re.escape(problem)}"):
        run_experiment(experiment_path, out=tmp_path / "out", resume=True, progress=False)


def test_folder_layout_and_manifest(tmp_path, experiment_path):
    results = run_experiment(experiment_path, out=tmp_path / "out", executor="serial",
                             chunk_size=4, progress=False)  # fmt: skip
    folder = tmp_path / "out" / "tiny"
    assert results.path == folder
    assert sorted(p.name for p in (folder / "runs").iterdir()) == [
        "part-baseline-00000.parquet", "part-baseline-00001.parquet",
        "part-welcome-00000.parquet", "part-welcome-00001.parquet",
    ]  # fmt: skip
    assert len(list((folder / "series").glob("*.parquet"))) == 4
    assert (folder / ".lock").read_text() == ""  # the lock file stays, released and empty
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["experiment"]["replications"] == 6
    assert manifest["scenario"]["name"] == "western_balkans_2025"
    assert manifest["files"]["experiment"]["path"] == str(experiment_path.resolve())
    assert manifest["chunk_size"] == 4
    assert [(t["variant"], t["start"], t["stop"], t["status"]) for t in manifest["tasks"]] == [
        ("baseline", 0, 4, "done"), ("baseline", 4, 6, "done"),
        ("welcome", 0, 4, "done"), ("welcome", 4, 6, "done"),
    ]  # fmt: skip
    series = results.series
    assert len(series) == 2 * 6 * 12
    assert series[["variant", "replication", "month"]].equals(
        series[["variant", "replication", "month"]].sort_values(
            ["variant", "replication", "month"], ignore_index=True
        )
    )


def test_a_complete_folder_is_not_overwritten_without_resume(tmp_path, experiment_path):
    run_experiment(experiment_path, out=tmp_path / "out", executor="serial", progress=False)
    summary = tmp_path / "out" / "tiny" / "summary.csv"
    before = summary.read_bytes()
    with pytest.raises(
        ResultsFolderError, match=r"already holds complete results.*--resume.*--out"
    ):
        run_experiment(experiment_path, out=tmp_path / "out", executor="serial", progress=False)
    again = run_experiment(experiment_path, out=tmp_path / "out", resume=True, progress=False)
    assert summary.read_bytes() == before
    assert again.status == "complete"


def test_resume_refuses_a_changed_experiment(tmp_path, experiment_path):
    run_experiment(experiment_path, out=tmp_path / "out", executor="serial", progress=False)
    changed = load_experiment(experiment_path, replications=8)
    with pytest.raises(ResultsFolderError, match=r"different experiment \(replications: 6 then"):
        run_experiment(changed, out=tmp_path / "out", resume=True, progress=False)


def test_resume_reruns_a_done_task_whose_part_is_missing(tmp_path, experiment_path):
    results = run_experiment(experiment_path, out=tmp_path / "out", executor="serial",
                             chunk_size=4, progress=False)  # fmt: skip
    expected = results.runs
    (results.path / "runs" / "part-welcome-00001.parquet").unlink()
    again = run_experiment(experiment_path, out=tmp_path / "out", resume=True, progress=False)
    pd.testing.assert_frame_equal(again.runs, expected, check_exact=True)


def test_a_chunk_of_one_run_equals_that_run_in_a_larger_chunk(experiment_path):
    experiment = load_experiment(experiment_path)
    seeds = tuple(experiment.seeds(0, range(6)))

    def chunk(start: int, stop: int) -> Chunk:
        return Chunk("baseline", start, stop, seeds[start:stop], "batch", 24,
                     scenario=experiment.scenarios["baseline"])  # fmt: skip

    whole = run_chunk(chunk(0, 6)).runs
    for k in range(6):
        pd.testing.assert_frame_equal(
            run_chunk(chunk(k, k + 1)).runs, whole.iloc[[k]].reset_index(drop=True),
            check_exact=True,
        )  # fmt: skip


def test_a_retried_task_deletes_its_stale_parts_first(tmp_path, experiment_path, monkeypatch):
    out = tmp_path / "out"
    first = run_experiment(experiment_path, out=out, executor="serial", chunk_size=4,
                           progress=False)  # fmt: skip
    parts = [first.path / kind / "part-welcome-00001.parquet" for kind in ("runs", "series")]
    saved = [part.read_bytes() for part in parts]

    def retry(break_it) -> object:
        """Mark the task (replications 4-5 of welcome) pending and resume with it broken."""
        manifest = json.loads((first.path / "manifest.json").read_text())
        manifest["tasks"][3]["status"] = "pending"
        (first.path / "manifest.json").write_text(json.dumps(manifest))
        with monkeypatch.context() as patch:
            break_it(patch)
            return run_experiment(experiment_path, out=out, resume=True, progress=False)

    def crash(*args, **kwargs):
        raise FloatingPointError("injected")

    # every run of the retried task fails: neither its old runs nor its old series remain
    again = retry(lambda patch: patch.setattr(sim.experiment.chunks, "simulate_batch", crash))
    assert again.failed_count == 2
    assert not any(part.exists() for part in parts)
    assert len(again.runs) == 10 and len(again.series) == 10 * 12
    # the task fails whole after an earlier attempt left parts: they are gone too
    for part, data in zip(parts, saved, strict=True):
        part.write_bytes(data)
    again = retry(lambda patch: patch.setattr(sim.experiment.tasks, "run_chunk", crash))
    assert again.failed_count == 2
    assert not any(part.exists() for part in parts)
    assert len(again.runs) == 10 and len(again.series) == 10 * 12


def test_resume_accepts_changed_descriptions_and_figures(tmp_path, experiment_path):
    run_experiment(experiment_path, out=tmp_path / "out", executor="serial", progress=False)
    data = yaml.safe_load(experiment_path.read_text())
    data["description"] = "now described"
    data["variants"]["welcome"]["description"] = "the West welcomes the pact"
    data["outputs"]["figures"] = ["join_probabilities"]
    experiment_path.write_text(yaml.safe_dump(data, sort_keys=False))
    again = run_experiment(experiment_path, out=tmp_path / "out", resume=True, progress=False)
    assert again.status == "complete"
    data["months"] = 24  # still refused for what the results depend on, naming only that
    experiment_path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ResultsFolderError, match=r"experiment \(months: 12 then, 24 now\)"):
        run_experiment(experiment_path, out=tmp_path / "out", resume=True, progress=False)


def test_a_bad_chunk_size_is_a_value_error(tmp_path, experiment_path):
    with pytest.raises(ConfigError, match=r"chunk_size: expected at least 1, found 0") as caught:
        run_experiment(experiment_path, out=tmp_path / "out", chunk_size=0, progress=False)
    assert isinstance(caught.value, ValueError)
    assert not (tmp_path / "out").exists()
