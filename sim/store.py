"""The results folder on disk (ARCHITECTURE.md section 5): Parquet parts, manifest, lock.

::

    <out>/<experiment-name>/
      manifest.json            resolved experiment and scenario, hashes, seeds, versions, tasks
      runs/part-<variant>-<chunk>.parquet     one row per run
      series/part-<variant>-<chunk>.parquet   trajectories, when the experiment asks for them
      summary.csv              estimates with intervals per variant
      .lock                    the process id of the run writing here, while it runs

Every file appears complete or not at all: it is written under a temporary name in the same
folder and then renamed over its final name (``os.replace`` is atomic on POSIX and Windows), so a
killed run never leaves a partial part. The manifest is the index: a task counts as done only
when the manifest says so and its part exists.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import AllianceSimError

MANIFEST = "manifest.json"
LOCK = ".lock"
SUMMARY = "summary.csv"
FORMAT = 1


class ResultsFolderError(AllianceSimError, RuntimeError):
    """A results folder cannot be used as asked (in use, already complete, or mismatched)."""


# --- atomic files --------------------------------------------------------------------------------


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that the file is either absent, old, or complete and new."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A table as Parquet (no index), the same bytes for the same table."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def write_part(frame: pd.DataFrame, path: str | Path) -> None:
    """Write one Parquet part atomically."""
    atomic_write_bytes(path, parquet_bytes(frame))


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a CSV table atomically."""
    atomic_write_bytes(path, frame.to_csv(index=False).encode("utf-8"))


def write_json(data: dict[str, Any], path: str | Path) -> None:
    atomic_write_bytes(path, (json.dumps(data, indent=2, default=str) + "\n").encode("utf-8"))


# --- hashes and provenance -----------------------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_json(data: Any) -> str:
    """Hash of a JSON-able value in canonical form (sorted keys, no whitespace)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(path: str | Path) -> str:
    return sha256_bytes(Path(path).read_bytes())


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that determine the results."""
    versions = {"python": platform.python_version()}
    for name in ("numpy", "mesa", "pandas", "scipy", "pyarrow", "alliance-sim"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the folder -------------------------------------------------------------------------------


class ResultsFolder:
    """Paths and files of one experiment's results folder.

    Parameters
    ----------
    path : str or Path
        The folder ``<out>/<experiment-name>``.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def summary_path(self) -> Path:
        return self.path / SUMMARY

    @property
    def lock_path(self) -> Path:
        return self.path / LOCK

    def part_name(self, kind: str, variant: str, chunk: int) -> str:
        """Relative path of a part, e.g. ``runs/part-baseline-00003.parquet``."""
        return f"{kind}/part-{variant}-{chunk:05d}.parquet"

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None if the folder has none."""
        if not self.manifest_path.is_file():
            return None
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ResultsFolderError(
                f"{self.manifest_path}: not a readable manifest ({err}); use another --out"
            ) from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json(manifest, self.manifest_path)

    def remove_temporary_files(self) -> None:
        """Delete the leftovers of writes that a killed run did not finish."""
        for folder in (self.path, self.path / "runs", self.path / "series"):
            if folder.is_dir():
                for leftover in folder.glob(".*.tmp-*"):
                    leftover.unlink(missing_ok=True)

    def has_parts(self) -> bool:
        return any(any((self.path / kind).glob("*.parquet")) for kind in ("runs", "series"))

    def read_parts(self, names: list[str]) -> pd.DataFrame:
        """The parts named (relative paths), concatenated in the order given."""
        frames = [pd.read_parquet(self.path / name) for name in names]
        frames = [frame for frame in frames if len(frame.columns)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock file while the block runs; refuse if another live run holds it.

        The lock file holds the host name and process id of its owner. A lock whose process is
        no longer alive (on this host) is stale and is taken over.

        Raises
        ------
        ResultsFolderError
            If another process that is still running holds the lock.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        content = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": now()})
        while True:
            try:
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self.lock_owner()
                if owner is not None and lock_alive(owner):
                    raise ResultsFolderError(
                        f"{self.path} is in use by process {owner.get('pid')} on "
                        f"{owner.get('host')} (lock file {self.lock_path}); wait for that run "
                        "to finish or use another --out"
                    ) from None
                self.lock_path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(content)
            break
        try:
            yield
        finally:
            if self.lock_owner() == json.loads(content):
                self.lock_path.unlink(missing_ok=True)

    def lock_owner(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.lock_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None


def lock_alive(owner: dict[str, Any]) -> bool:
    """Whether the process named in a lock file still runs (assumed so on another host)."""
    if owner.get("host") != socket.gethostname():
        return True
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:  # a killed process that its parent has not reaped yet is a zombie: dead
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
