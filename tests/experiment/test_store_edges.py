"""The store's less travelled paths: versions of missing packages, malformed manifests, a lock
the system refuses, leftovers of killed writes, lock owners that cannot be read."""

from __future__ import annotations

import errno
import json
import os
import socket
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sim.experiment.store as store
from sim.experiment.store import ResultsFolder, ResultsFolderError, manifest_problem

TASK = {key: 0 for key in store.TASK_KEYS}
MANIFEST = {"format": 1, "name": "x", "experiment": {}, "status": "running", "tasks": [TASK]}


def test_package_versions_name_a_missing_package(monkeypatch):
    real = metadata.version

    def version(name):
        if name == "mesa":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(store.metadata, "version", version)
    versions = store.package_versions()
    assert versions["mesa"] == "not installed"
    assert versions["numpy"] == real("numpy")
    assert set(versions) == {
        "python",
        "numpy",
        "mesa",
        "pandas",
        "scipy",
        "pyarrow",
        "alliance-sim",
    }


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: [], "expected a JSON object, found list"),
        (lambda m: {k: v for k, v in m.items() if k != "status"}, "missing key 'status'"),
        (lambda m: {**m, "tasks": {}}, "tasks: expected a list"),
        (lambda m: {**m, "tasks": [TASK, 3]}, "tasks.1: expected an object"),
        (lambda m: {**m, "tasks": [{k: 0 for k in store.TASK_KEYS if k != "stop"}]},
         "missing key tasks.0.stop"),
        (lambda m: m, ""),
    ],
)  # fmt: skip
def test_manifest_problem_names_what_is_wrong(change, problem):
    assert manifest_problem(change(dict(MANIFEST))) == problem


def test_a_manifest_with_a_bad_task_list_is_refused(tmp_path):
    folder = ResultsFolder(tmp_path / "out")
    folder.path.mkdir()
    folder.manifest_path.write_text(json.dumps({**MANIFEST, "tasks": "all"}))
    with pytest.raises(ResultsFolderError, match="tasks: expected a list"):
        folder.read_manifest()


def test_a_lock_the_system_refuses_is_a_clear_error(tmp_path, monkeypatch):
    def refuse(fd):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(store, "try_lock", refuse)
    folder = ResultsFolder(tmp_path / "out")
    with pytest.raises(ResultsFolderError, match=r"cannot create or lock.*No locks available"):
        with folder.locked():
            pass


def test_lock_owner_falls_back_when_the_lock_file_says_nothing(tmp_path, monkeypatch):
    """An owner writes its pid just after taking the lock: 20 tries 10 ms apart (0.2 s), then
    "another process"."""
    waits = []
    monkeypatch.setattr(store.time, "sleep", waits.append)
    folder = ResultsFolder(tmp_path)
    folder.lock_path.write_text("")
    assert folder.lock_owner() == "another process"
    assert waits == [0.01] * 20
    folder.lock_path.write_text(json.dumps({"pid": 12, "host": "h"}))
    assert folder.lock_owner() == "process 12 on h"


def test_leftovers_of_killed_writes_are_removed_and_parts_kept(tmp_path):
    folder = ResultsFolder(tmp_path)
    (tmp_path / "runs").mkdir()
    leftover = tmp_path / "runs" / ".a.parquet.tmp-123"
    leftover.write_bytes(b"half")
    part = tmp_path / "runs" / "a.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(part)
    other = tmp_path / ".manifest.json.tmp-9"
    other.write_text("{")
    folder.remove_temporary_files()
    assert not leftover.exists() and not other.exists()
    assert part.exists() and folder.has_parts()


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.ENOSPC, "free some space (or use another --out), then continue with --resume"),
        (errno.EROFS, "the folder is read-only: use another --out"),
        (errno.EACCES, "you may not write there: use another --out"),
        (errno.EIO, "check the folder, then continue with --resume"),
    ],
)
def test_a_write_error_names_the_file_the_reason_and_what_to_do(tmp_path, code, advice):
    path = tmp_path / "part.parquet"
    err = store.write_error(path, OSError(code, "the reason"))
    assert isinstance(err, store.WriteError) and isinstance(err, OSError)
    assert str(err) == f"{path}: cannot write (the reason); {advice}"
    # an OSError without a strerror is described by its text
    assert str(store.write_error(path, OSError("plain words"))).startswith(
        f"{path}: cannot write (plain words); check the folder"
    )


def test_in_use_by_names_the_holder_only_while_the_lock_is_held(tmp_path):
    folder = ResultsFolder(tmp_path / "out")
    assert folder.in_use_by() is None  # no lock file yet
    with folder.locked():
        assert folder.in_use_by() == f"process {os.getpid()} on {socket.gethostname()}"
    assert folder.lock_path.is_file()
    assert folder.in_use_by() is None  # released: the file stays, nobody holds it


def test_a_folder_under_a_file_says_which_file_blocks_it(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file")
    folder = ResultsFolder(blocker / "deeper" / "out")
    with pytest.raises(ResultsFolderError) as caught:
        with folder.locked():
            pass
    message = str(caught.value)
    assert message.startswith(f"{folder.path}: cannot create or lock the results folder: ")
    assert f"({blocker} is a file, not a folder); check --out" in message
    # a reason from the system without a blocking file (the parents do not exist yet): the reason
    free = ResultsFolder(tmp_path / "free" / "out")
    message = str(free.unusable(OSError(errno.ENOLCK, "No locks")))
    assert (
        message == f"{free.path}: cannot create or lock the results folder: No locks; check --out"
    )
    assert str(free.unusable(OSError("plain words"))).endswith(": plain words; check --out")


def test_json_files_are_indented_text_with_a_final_newline_and_any_value(tmp_path):
    """The manifest is meant to be read by people: two-space indents, one value per line, a
    final newline; values JSON has no type for (paths, dates) are written as their text."""
    path = tmp_path / "m.json"
    store.write_json({"a": 1, "where": tmp_path / "x"}, path)
    assert path.read_text(encoding="utf-8") == (
        f'{{\n  "a": 1,\n  "where": "{tmp_path / "x"}"\n}}\n'
    )


def test_csv_tables_have_no_index_column(tmp_path):
    path = tmp_path / "t.csv"
    store.write_csv(pd.DataFrame({"x": [1, 2]}, index=[5, 6]), path)
    assert path.read_text(encoding="utf-8") == "x\n1\n2\n"


def test_parts_without_some_columns_read_them_as_missing(tmp_path):
    """A variant whose scenario has a bloc the others lack writes more outcome columns."""
    folder = ResultsFolder(tmp_path)
    (tmp_path / "runs").mkdir()
    pd.DataFrame({"seed": [1, 2]}).to_parquet(tmp_path / "runs" / "a.parquet")
    pd.DataFrame({"seed": [3], "east.new_members": [2]}).to_parquet(tmp_path / "runs" / "b.parquet")
    table = folder.read_parts(["runs/a.parquet", "runs/b.parquet"], ["seed", "east.new_members"])
    assert table["seed"].tolist() == [1, 2, 3]
    assert np.isnan(table["east.new_members"].iloc[:2]).all()
    assert table["east.new_members"].iloc[2] == 2


def test_the_canonical_hash_is_the_sha256_of_compact_sorted_json():
    """Manifests written earlier carry these hashes, so the canonical text must not change:
    keys sorted, no whitespace, non-JSON values (a path) as str, non-ASCII escaped:
    {"a":{"y":true,"z":"\\u00e9"},"b":[1,2.5,null],"p":"x/y"}."""
    value = {"b": [1, 2.5, None], "a": {"z": "é", "y": True}, "p": Path("x/y")}
    assert store.sha256_json(value) == (
        "177eba5c46136f00332915a923ca9368faf48c94f055c78afa11bbfe99651836"
    )


def test_an_atomic_write_makes_the_missing_folders(tmp_path):
    target = tmp_path / "new" / "deeper" / "part.bin"
    store.atomic_write_bytes(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert [p.name for p in target.parent.iterdir()] == ["part.bin"]  # no temporary left


def test_an_atomic_write_that_cannot_make_its_folder_names_the_file(tmp_path):
    """The folder cannot be made (a file is in the way), so no temporary exists to delete:
    the error is still a WriteError naming the target, not a FileNotFoundError."""
    (tmp_path / "taken").write_text("a file")
    target = tmp_path / "taken" / "part.bin"
    with pytest.raises(store.WriteError, match=rf"^{target}: cannot write \("):
        store.atomic_write_bytes(target, b"data")


def test_a_part_stores_no_index_not_even_as_metadata():
    """Parts are Parquet without the frame's index (``index=False``): no index column and no
    range index in pandas' metadata, so a part's bytes (and the SHA-256 the manifest records)
    depend on the table alone."""
    data = store.parquet_bytes(pd.DataFrame({"a": [1, 2, 3]}, index=pd.RangeIndex(5, 8)))
    schema = pq.read_schema(pa.BufferReader(data))
    assert schema.names == ["a"]
    assert json.loads(schema.metadata[b"pandas"])["index_columns"] == []


def test_leftovers_in_the_series_folder_are_removed_too(tmp_path):
    """Trajectory parts are written under ``series/`` like run parts under ``runs/``: a killed
    run's half-written trajectory part must go as well, and a finished one stay."""
    folder = ResultsFolder(tmp_path)
    (tmp_path / "series").mkdir()
    leftover = tmp_path / "series" / ".part-base-00000.parquet.tmp-77"
    leftover.write_bytes(b"half")
    kept = tmp_path / "series" / "part-base-00000.parquet"
    pd.DataFrame({"month": [0]}).to_parquet(kept)
    folder.remove_temporary_files()
    assert not leftover.exists()
    assert kept.exists()


def test_a_folder_with_only_trajectory_parts_has_parts(tmp_path):
    """A run killed after writing a series part but before its runs part has written results:
    the folder is not empty (a fresh run there would mix old and new parts)."""
    folder = ResultsFolder(tmp_path)
    assert not folder.has_parts()
    (tmp_path / "series").mkdir()
    assert not folder.has_parts()  # an empty folder is not a part
    pd.DataFrame({"month": [0]}).to_parquet(tmp_path / "series" / "part-base-00000.parquet")
    assert folder.has_parts()


def test_read_parts_with_columns_reads_only_those_in_the_order_asked(tmp_path):
    folder = ResultsFolder(tmp_path)
    (tmp_path / "runs").mkdir()
    pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0], "c": ["x", "y"]}).to_parquet(
        tmp_path / "runs" / "p1.parquet"
    )
    pd.DataFrame({"a": [5], "b": [6.0], "c": ["z"]}).to_parquet(tmp_path / "runs" / "p2.parquet")
    table = folder.read_parts(["runs/p2.parquet", "runs/p1.parquet"], ["b", "a"])
    assert list(table.columns) == ["b", "a"]
    assert table["a"].tolist() == [5, 1, 2]  # parts in the order named, a fresh index
    assert table["b"].tolist() == [6.0, 3.0, 4.0]
    assert table.index.tolist() == [0, 1, 2]
    everything = folder.read_parts(["runs/p1.parquet"])
    assert list(everything.columns) == ["a", "b", "c"]


def test_read_parts_of_no_names_is_an_empty_table(tmp_path):
    """A results folder whose tasks have no parts yet (all failed, or none run) reads as an
    empty table, not an error from concatenating nothing."""
    folder = ResultsFolder(tmp_path)
    for columns in (None, ["seed"]):
        table = folder.read_parts([], columns)
        assert isinstance(table, pd.DataFrame)
        assert table.empty and list(table.columns) == []


def test_a_manifest_not_written_by_run_says_what_to_do(tmp_path):
    folder = ResultsFolder(tmp_path)
    folder.manifest_path.write_text(json.dumps({k: v for k, v in MANIFEST.items() if k != "name"}))
    with pytest.raises(ResultsFolderError) as caught:
        folder.read_manifest()
    assert str(caught.value) == (
        f"{folder.manifest_path}: not a manifest written by `alliance-sim run` "
        "(missing key 'name'); use another --out"
    )
    folder.manifest_path.write_text("{not json")
    with pytest.raises(
        ResultsFolderError, match=r"not a readable manifest \(.*\); use another --out$"
    ):
        folder.read_manifest()


def test_in_use_by_without_fcntl_leaves_the_decision_to_the_lock(tmp_path, monkeypatch):
    """On Windows (no ``fcntl``) nothing can look at the lock without taking it: ``in_use_by``
    says None even with a lock file present, and the run's own lock refuses if it is held."""
    folder = ResultsFolder(tmp_path)
    folder.lock_path.write_text(json.dumps({"pid": 12, "host": "h"}))
    monkeypatch.setattr(store, "fcntl", None)
    assert folder.in_use_by() is None


def test_now_is_utc_to_the_second():
    """Manifest times (started, finished, resumed) are UTC with an explicit offset, so runs
    resumed on machines in other time zones order correctly."""
    stamp = store.now()
    parsed = datetime.fromisoformat(stamp)
    assert stamp.endswith("+00:00") and parsed.microsecond == 0
    assert abs(datetime.now(UTC) - parsed) < timedelta(seconds=5)


def test_a_leftover_that_vanishes_while_cleaning_is_not_an_error(tmp_path, monkeypatch):
    """A worker of a killed run may outlive it by up to a second (init_worker's watch) and
    rename its temporary into place between the listing and the delete: the cleanup must
    not fail the new run for a file that is already gone."""
    folder = ResultsFolder(tmp_path)
    (tmp_path / "runs").mkdir()
    real = tmp_path / "runs" / ".part-a-00000.parquet.tmp-5"
    real.write_bytes(b"half")
    gone = tmp_path / "runs" / ".part-a-00001.parquet.tmp-5"
    listed = Path.glob

    def glob(self, pattern):
        found = list(listed(self, pattern))
        return [*found, gone] if self.name == "runs" else found

    monkeypatch.setattr(Path, "glob", glob)
    folder.remove_temporary_files()
    assert not real.exists() and not gone.exists()


def test_reading_no_columns_is_a_table_without_rows(tmp_path):
    """Asking for columns none of which is stored (``Results.read_runs`` passes only those
    present, so possibly none) gives an empty table, not one row per run with no columns."""
    folder = ResultsFolder(tmp_path)
    (tmp_path / "runs").mkdir()
    pd.DataFrame({"seed": [1, 2]}).to_parquet(tmp_path / "runs" / "a.parquet")
    pd.DataFrame({"seed": [3]}).to_parquet(tmp_path / "runs" / "b.parquet")
    table = folder.read_parts(["runs/a.parquet", "runs/b.parquet"], [])
    assert table.shape == (0, 0)
