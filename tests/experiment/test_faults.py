"""Faults in a results folder: damaged parts, a full disk, a read-only folder, a live run.

Each gets a clear error naming the folder (and the part and task), leaves no temporary file, and
never a folder summarised as complete when it is not; ``--resume`` repairs what it can.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from sim import load_experiment, run_experiment
from sim.analysis.results import open_results
from sim.cli import main
from sim.experiment.runner import run_to_folder
from sim.experiment.store import ResultsFolder, ResultsFolderError, WriteError
from tests.experiment.test_runner import write_experiment

CHUNK = 10  # 4 tasks per variant


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run of the small experiment, in tasks of 10 runs."""
    folder = tmp_path_factory.mktemp("reference")
    experiment = load_experiment(write_experiment(folder))
    return run_experiment(experiment, out=folder / "out", executor="serial", chunk_size=CHUNK,
                          progress=False)  # fmt: skip


@pytest.fixture
def finished(tmp_path):
    """A fresh copy of a finished folder to damage, with its experiment file."""
    path = write_experiment(tmp_path)
    run_experiment(load_experiment(path), out=tmp_path / "out", executor="serial",
                   chunk_size=CHUNK, progress=False)  # fmt: skip
    return path, tmp_path / "out" / "small"


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if ".tmp-" in p.name]


DAMAGE = {
    "corrupt": lambda p: p.write_bytes(b"not parquet at all"),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "deleted": lambda p: p.unlink(),
    "swapped": lambda p: p.write_bytes(p.with_name("part-baseline-00000.parquet").read_bytes()),
}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_part_is_named_with_its_task_and_nothing_is_summarised(finished, how, capsys):
    path, folder = finished
    part = folder / "runs" / "part-invited-00002.parquet"
    assert part.is_file()
    DAMAGE[how](part)
    summary_before = (folder / "summary.csv").read_bytes()
    with pytest.raises(ResultsFolderError, match=r"runs/part-invited-00002\.parquet of task "
                       r"invited-00002 \((missing|corrupt)") as caught:  # fmt: skip
        open_results(folder)
    assert "--resume" in str(caught.value) and str(path) in str(caught.value)
    assert main(["summarize", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "invited-00002" in err and "Traceback" not in err
    assert (folder / "summary.csv").read_bytes() == summary_before


def test_resume_reruns_exactly_the_damaged_tasks_and_equals_an_undamaged_run(finished, reference):
    path, folder = finished
    DAMAGE["corrupt"](folder / "runs" / "part-baseline-00001.parquet")
    DAMAGE["deleted"](folder / "runs" / "part-welcome-00003.parquet")
    intact = folder / "runs" / "part-invited-00000.parquet"
    before = intact.stat().st_mtime_ns
    run_experiment(load_experiment(path), out=folder.parent, executor="serial", resume=True,
                   progress=False)  # fmt: skip
    manifest = json.loads((folder / "manifest.json").read_text())
    rerun = {t["id"] for t in manifest["tasks"] if "rerun" in (t.get("message") or "")}
    assert intact.stat().st_mtime_ns == before  # intact parts are not rewritten
    results = open_results(folder)
    assert results.status == "complete"
    pd.testing.assert_frame_equal(results.runs, reference.runs, check_exact=True)
    pd.testing.assert_frame_equal(results.summary, reference.summary, check_exact=True)
    del rerun


def test_parts_of_tasks_not_recorded_are_not_counted(finished, reference):
    """A killed run can leave parts of tasks finished after the last manifest save."""
    _, folder = finished
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tasks"][1]["status"] = "pending"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    results = open_results(folder)
    assert len(results.runs) == len(reference.runs) - CHUNK
    assert results.pending_count == CHUNK


def disk_full_after(monkeypatch, writes: int) -> None:
    """Make every file write after the first ``writes`` fail as a full disk would."""
    real, count = os.fsync, [0]

    def fsync(fd: int) -> None:
        count[0] += 1
        if count[0] > writes:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_a_full_disk_stops_the_run_clearly_and_resume_completes_it(
    tmp_path, monkeypatch, reference, capsys
):
    path = write_experiment(tmp_path)
    disk_full_after(monkeypatch, 4)  # the manifest and a few parts fit
    args = ["run", str(path), "--out", str(tmp_path / "out"), "--executor", "serial",
            "--chunk-size", str(CHUNK)]  # fmt: skip
    assert main(args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "cannot write (No space left on device); free some space" in err
    assert "--resume" in err and "Traceback" not in err
    folder = tmp_path / "out" / "small"
    assert no_temporary_files(folder)
    manifest = json.loads((folder / "manifest.json").read_text())  # whole, readable
    assert manifest["status"] in ("running", "failed")
    monkeypatch.undo()
    assert main([*args, "--resume"]) == 0
    results = open_results(folder)
    pd.testing.assert_frame_equal(results.runs, reference.runs, check_exact=True)


def test_a_full_disk_while_writing_the_manifest_leaves_the_old_one_whole(tmp_path, monkeypatch):
    path = write_experiment(tmp_path)
    disk_full_after(monkeypatch, 0)
    with pytest.raises(WriteError, match=r"manifest\.json: cannot write \(No space left"):
        run_to_folder(load_experiment(path), out=tmp_path / "out", executor="serial",
                      progress=False)  # fmt: skip
    assert no_temporary_files(tmp_path / "out")
    assert not (tmp_path / "out" / "small" / "manifest.json").exists()


def test_a_read_only_folder_still_prints_its_tables(finished, monkeypatch, capsys, tmp_path):
    _, folder = finished
    before = (folder / "summary.csv").read_bytes()

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", read_only)
    assert main(["summarize", str(folder)]) == 0
    captured = capsys.readouterr()
    assert "accession" in captured.out  # the tables
    err = " ".join(captured.err.split())
    assert "summary.csv not written" in err and "Read-only file system" in err
    assert (folder / "summary.csv").read_bytes() == before and no_temporary_files(folder)
    monkeypatch.undo()
    assert main(["summarize", str(folder), "--out", str(tmp_path / "elsewhere.csv")]) == 0
    assert (tmp_path / "elsewhere.csv").read_bytes() == before


def test_summarize_refuses_a_folder_a_live_run_is_writing(finished, capsys):
    _, folder = finished
    with ResultsFolder(folder).locked():
        assert main(["summarize", str(folder)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"is being written by process {os.getpid()}" in err
    assert "--resume" not in err
    assert main(["summarize", str(folder)]) == 0  # once the run has ended
