"""The store's less travelled paths: versions of missing packages, malformed manifests, a lock
the system refuses, leftovers of killed writes, lock owners that cannot be read."""

from __future__ import annotations

import errno
import json
from importlib import metadata

import pandas as pd
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
    monkeypatch.setattr(store.time, "sleep", lambda seconds: None)
    folder = ResultsFolder(tmp_path)
    folder.lock_path.write_text("")
    assert folder.lock_owner() == "another process"
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
