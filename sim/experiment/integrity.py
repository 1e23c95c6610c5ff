"""Checking a results folder's parts against its manifest: present, and the bytes recorded.

When a task finishes, the manifest records for each of its parts the number of rows and the
SHA-256 of the bytes written (:func:`sim.experiment.tasks.execute_task`). A part deleted,
truncated or overwritten since then no longer matches; :func:`damaged_parts` names it with its
task, so that ``summarize`` refuses to summarise a folder with holes and ``--resume`` reruns
exactly those tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.experiment.store import ResultsFolder, sha256_file

RECORDED = ("done", "failed")  # tasks whose rows the tables read


@dataclass(frozen=True)
class Damage:
    """A part that does not match the manifest: its task, its path and what is wrong."""

    task: str
    part: str
    problem: str  # "missing" or "corrupt: ..."
    runs: int  # replications of the task

    def __str__(self) -> str:
        return f"{self.part} of task {self.task} ({self.problem})"


def expected_parts(entry: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The parts a recorded task must have, with the SHA-256 the manifest holds (None: not
    recorded by an older version, then only presence is checked)."""
    parts = []
    if entry.get("runs_sha256") or (entry["status"] == "done" and "runs_sha256" not in entry):
        parts.append((entry["runs_part"], entry.get("runs_sha256")))
    if entry.get("series_part") and (
        entry.get("series_sha256") or (entry["status"] == "done" and "series_sha256" not in entry)
    ):
        parts.append((entry["series_part"], entry.get("series_sha256")))
    return parts


def damaged_parts(folder: ResultsFolder, manifest: dict[str, Any]) -> list[Damage]:
    """Every part of a done or failed task that is missing or whose bytes differ.

    Reading every part costs about as much as hashing it (hundreds of MB/s), a small part of
    what summarising it costs.
    """
    damaged = []
    for entry in manifest["tasks"]:
        if entry["status"] not in RECORDED:
            continue
        runs = entry["stop"] - entry["start"]
        for part, digest in expected_parts(entry):
            path = folder.path / part
            if not path.is_file():
                damaged.append(Damage(entry["id"], part, "missing", runs))
            elif digest is not None and sha256_file(path) != digest:
                damaged.append(Damage(entry["id"], part, "corrupt: its bytes differ from "
                                      "those written", runs))  # fmt: skip
    return damaged
