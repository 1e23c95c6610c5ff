"""The results folder on disk (ARCHITECTURE.md section 5): Parquet parts, manifest, lock.

::

    <out>/<experiment-name>/
      manifest.json            resolved experiment and scenario, hashes, seeds, versions, tasks
      runs/part-<variant>-<chunk>.parquet     one row per run
      series/part-<variant>-<chunk>.parquet   trajectories, when the experiment asks for them
      summary.csv              estimates with intervals per variant
      .lock                    locked by the run writing here; holds its process id

Every file appears complete or not at all: it is written under a temporary name in the same
folder and then renamed over its final name (``os.replace`` is atomic on POSIX and Windows), so a
killed run never leaves a partial part. The manifest is the index: a task counts as done only
when the manifest says so and its part exists.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import platform
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from sim.errors import AllianceSimError

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None
    import msvcrt


MANIFEST = "manifest.json"
LOCK = ".lock"
SUMMARY = "summary.csv"
FORMAT = 1
WINDOWS_LOCK_BYTE = 1 << 30
MANIFEST_KEYS = ("format", "name", "experiment", "status", "tasks")
TASK_KEYS = ("id", "variant", "variant_index", "chunk", "start", "stop", "status", "message",
             "runs_part", "series_part")  # fmt: skip


class ResultsFolderError(AllianceSimError, RuntimeError):
    """A results folder cannot be used as asked (in use, already complete, or mismatched)."""


# --- atomic files --------------------------------------------------------------------------------


class WriteError(ResultsFolderError, OSError):
    """A file of the results folder could not be written (disk full, read-only, no permission).

    The message names the file, the reason and what to do; no temporary file is left behind.
    """


WRITE_ADVICE = {
    errno.ENOSPC: "free some space (or use another --out), then continue with --resume",
    errno.EDQUOT: "free some space (or use another --out), then continue with --resume",
    errno.EROFS: "the folder is read-only: use another --out",
    errno.EACCES: "you may not write there: use another --out",
    errno.EPERM: "you may not write there: use another --out",
}


def write_error(path: Path, err: OSError) -> WriteError:
    """The error for a file that could not be written, with the reason and advice."""
    advice = WRITE_ADVICE.get(err.errno, "check the folder, then continue with --resume")
    return WriteError(f"{path}: cannot write ({err.strerror or err}); {advice}")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that the file is either absent, old, or complete and new.

    Raises
    ------
    WriteError
        If the file cannot be written (no space, read-only, ...), after deleting the temporary.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as err:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:  # a folder we cannot even delete in: the lock's cleanup is the fallback
            pass
        raise write_error(path, err) from None


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A table as Parquet (no index), the same bytes for the same table."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def write_part(frame: pd.DataFrame, path: str | Path) -> str:
    """Write one Parquet part atomically; return its SHA-256 (the manifest records it)."""
    data = parquet_bytes(frame)
    atomic_write_bytes(path, data)
    return sha256_bytes(data)


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


def manifest_problem(manifest: Any) -> str:
    """What is missing from a manifest read from disk ("" if nothing)."""
    if not isinstance(manifest, dict):
        return f"expected a JSON object, found {type(manifest).__name__}"
    for key in MANIFEST_KEYS:
        if key not in manifest:
            return f"missing key {key!r}"
    if not isinstance(manifest["tasks"], list):
        return "tasks: expected a list"
    for index, entry in enumerate(manifest["tasks"]):
        if not isinstance(entry, dict):
            return f"tasks.{index}: expected an object"
        for key in TASK_KEYS:
            if key not in entry:
                return f"missing key tasks.{index}.{key}"
    return ""


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
        """The manifest, or None if the folder has none.

        Raises
        ------
        ResultsFolderError
            If ``manifest.json`` is not JSON or lacks a key the runner needs, naming the key.
        """
        if not self.manifest_path.is_file():
            return None
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ResultsFolderError(
                f"{self.manifest_path}: not a readable manifest ({err}); use another --out"
            ) from None
        problem = manifest_problem(manifest)
        if problem:
            raise ResultsFolderError(
                f"{self.manifest_path}: not a manifest written by `alliance-sim run` ({problem});"
                " use another --out"
            )
        return manifest

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

    def read_parts(self, names: list[str], columns: list[str] | None = None) -> pd.DataFrame:
        """The parts named (relative paths), concatenated in the order given.

        ``columns`` reads only those columns (Parquet column projection: memory and time grow
        with the columns read, not with all that are stored); None reads all. A part without
        some of them (a variant whose scenario has a bloc the others lack, so more outcome
        columns) gives them as missing values.
        """
        frames = [self.read_part(name, columns) for name in names]
        frames = [frame for frame in frames if len(frame.columns)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def read_part(self, name: str, columns: list[str] | None) -> pd.DataFrame:
        """One part, with ``columns`` (None: all); columns it lacks are missing values."""
        if columns is None:
            return pd.read_parquet(self.path / name)
        stored = set(pq.read_schema(self.path / name).names)
        frame = pd.read_parquet(self.path / name, columns=[c for c in columns if c in stored])
        return frame.reindex(columns=columns) if len(frame.columns) < len(columns) else frame

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock while the block runs; refuse if another process holds it.

        The lock is an operating-system lock (``fcntl.flock``, or ``msvcrt.locking`` on Windows)
        on the file ``.lock``, which is never deleted: the system releases the lock when its
        process ends, however it ends, so there are no stale locks to recognise. The file holds
        the owner's process id and host, for the message only.

        Raises
        ------
        ResultsFolderError
            If another process holds the lock, or the folder cannot be created or locked
            (``--out`` is a file, not writable, ...).
        """
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise self.unusable(err) from None
        try:
            try:
                taken = try_lock(fd)
            except OSError as err:
                raise self.unusable(err) from None
            if not taken:
                raise ResultsFolderError(
                    f"{self.path} is in use by {self.lock_owner()} (lock file {self.lock_path});"
                    " wait for that run to finish or use another --out"
                )
            owner = {"pid": os.getpid(), "host": socket.gethostname(), "since": now()}
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(owner).encode("utf-8"))
            try:
                yield
            finally:
                os.ftruncate(fd, 0)  # the file stays; an empty one names no owner
                unlock(fd)
        finally:
            os.close(fd)

    def in_use_by(self) -> str | None:
        """Who holds the folder's lock (a run writing here, as words), or None if no one does.

        Only looks: a shared lock is tried and released at once, on a read-only descriptor, so
        this works in a read-only folder too (where no run can be writing).
        """
        if fcntl is None or not self.lock_path.is_file():  # Windows: the run's own lock decides
            return None
        try:
            fd = os.open(self.lock_path, os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return self.lock_owner()
        except OSError:
            return None
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def lock_owner(self) -> str:
        """Who holds the lock, as words: ``process 123 on host``."""
        for _ in range(20):  # the owner writes its pid just after taking the lock
            try:
                owner = json.loads(self.lock_path.read_text(encoding="utf-8"))
                return f"process {owner['pid']} on {owner['host']}"
            except (OSError, ValueError, KeyError, TypeError):
                time.sleep(0.01)
        return "another process"

    def unusable(self, err: OSError) -> ResultsFolderError:
        """The error for a folder that cannot be created or locked, with the reason."""
        reason = err.strerror or str(err)
        blocker = next((p for p in self.path.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            reason += f" ({blocker} is a file, not a folder)"
        return ResultsFolderError(
            f"{self.path}: cannot create or lock the results folder: {reason}; check --out"
        )


if fcntl is not None:

    def try_lock(fd: int) -> bool:
        """Take the lock of an open file without waiting; False if another process holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

else:  # pragma: no cover (Windows: lock one byte far past the content; others can read the pid)

    def try_lock(fd: int) -> bool:
        """Take the lock of an open file without waiting; False if another process holds it."""
        os.lseek(fd, WINDOWS_LOCK_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as err:
            if err.errno in (errno.EACCES, errno.EDEADLK):  # held by another process
                return False
            raise
        return True

    def unlock(fd: int) -> None:
        os.lseek(fd, WINDOWS_LOCK_BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
