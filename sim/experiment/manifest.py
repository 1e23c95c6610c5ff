"""The manifest of a results folder: what was run, with what, and the state of every task.

:func:`prepare` writes a new manifest (the resolved experiment and scenario, their hashes, the
seeds, package versions and one pending entry per task) or checks the folder's own before a
resume: same experiment and scenario (descriptions and figures aside), done tasks whose parts
are missing set to run again. :func:`record` writes a finished task's outcome into its entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.experiment.integrity import damaged_parts
from sim.experiment.provenance import code_changes, code_hash
from sim.experiment.store import (
    FORMAT,
    ResultsFolder,
    ResultsFolderError,
    now,
    package_versions,
    sha256_file,
    sha256_json,
)

if TYPE_CHECKING:
    from sim.experiment.spec import Experiment
    from sim.experiment.tasks import Task

DEFAULT_CHUNK = {"batch": 500, "mesa": 50, "model": 50}


def experiment_record(experiment: Experiment) -> dict[str, Any]:
    """The resolved experiment and scenario with their hashes, as the manifest stores them."""
    resolved = experiment.model_dump(mode="json")
    identity = experiment_identity(resolved)
    # patterns (calibration statements) do not change results: not part of the identity
    scenarios = {
        name: s.model_dump(mode="json", exclude={"patterns"})
        for name, s in experiment.scenarios.items()
    }
    record: dict[str, Any] = {
        "experiment": resolved,
        "experiment_sha256": sha256_json(identity),
        "scenario": scenarios.get(experiment.baseline) if scenarios else None,
        "scenario_sha256": sha256_json(scenarios) if scenarios else None,
        "files": {},
    }
    for kind, path in (("experiment", experiment.file), ("scenario", experiment.scenario)):
        if path is not None:
            record["files"][kind] = {"path": path, "sha256": sha256_file(path)}
    return record


def experiment_identity(resolved: dict[str, Any]) -> dict[str, Any]:
    """What the results depend on: the resolved experiment without its scenario path (the
    scenarios are hashed apart), descriptions and figures, which may change between sessions."""
    identity = {k: v for k, v in resolved.items() if k not in ("scenario", "description")}
    identity["outputs"] = {k: v for k, v in (resolved.get("outputs") or {}).items()
                           if k != "figures"}  # fmt: skip
    identity["variants"] = {
        name: {k: v for k, v in variant.items() if k != "description"}
        for name, variant in (resolved.get("variants") or {}).items()
    }
    return identity


def plan_tasks(experiment: Experiment, folder: ResultsFolder, chunk_size: int) -> list[dict]:
    """The task entries of the manifest: one per (variant, chunk), all pending."""
    entries = []
    for index, name in enumerate(experiment.variant_names):
        runs = experiment.runs_per_variant  # replications × design points (a sweep's)
        for chunk, start in enumerate(range(0, runs, chunk_size)):
            stop = min(start + chunk_size, runs)
            entries.append({
                "id": f"{name}-{chunk:05d}", "variant": name, "variant_index": index,
                "chunk": chunk, "start": start, "stop": stop, "status": "pending", "message": "",
                "runs_part": folder.part_name("runs", name, chunk),
                "series_part": folder.part_name("series", name, chunk)
                if experiment.series_every else None,
                "failed_runs": [],
            })  # fmt: skip
    return entries


def prepare(
    folder: ResultsFolder, experiment: Experiment, *, chunk_size: int | None, resume: bool
) -> dict[str, Any]:
    """The manifest to work from: a new one, or the folder's own when resuming."""
    record = experiment_record(experiment)
    manifest = folder.read_manifest()
    folder.remove_temporary_files()
    if manifest is None:
        if folder.has_parts():
            raise ResultsFolderError(
                f"{folder.path} holds result parts but no manifest.json; use another --out"
            )
        size = chunk_size or DEFAULT_CHUNK[experiment.runs_on]
        manifest = {
            "format": FORMAT,
            "name": experiment.name,
            **record,
            "master_seed": experiment.seed,
            "common_random_numbers": experiment.common_random_numbers,
            "engine": experiment.runs_on,
            "chunk_size": size,
            "versions": package_versions(),
            "code": code_hash(experiment.model),
            "started": now(),
            "finished": None,
            "status": "running",
            "tasks": plan_tasks(experiment, folder, size),
        }
        folder.write_manifest(manifest)
        return manifest
    done = sum(entry["status"] == "done" for entry in manifest["tasks"])
    if not resume:
        state = (
            "complete results" if manifest.get("status") == "complete"
            else f"an unfinished run ({done} of {len(manifest['tasks'])} tasks done)"
        )  # fmt: skip
        raise ResultsFolderError(
            f"{folder.path} already holds {state} of experiment {manifest.get('name')!r}; "
            "use --resume to continue it (or re-summarise it), or another --out"
        )
    for key in ("experiment_sha256", "scenario_sha256"):
        if manifest.get(key) != record[key]:
            what = key.removesuffix("_sha256")
            old, new = manifest.get(what) or {}, record[what] or {}
            if what == "experiment":
                old, new = experiment_identity(old), experiment_identity(new)
            changed = sorted(k for k in {*old, *new} - {"scenario"} if old.get(k) != new.get(k))
            detail = "; ".join(f"{k}: {old.get(k)!r} then, {new.get(k)!r} now" for k in changed)
            if what == "scenario":
                detail = f"{', '.join(changed)} changed" if changed else ""
            raise ResultsFolderError(
                f"{folder.path} was made from a different {what} ({detail or 'a variant changed'}"
                "); resuming would mix results: use another --out"
            )
    if manifest.get("code"):  # folders of older versions have no code hash to compare
        changes = code_changes(manifest["code"], code_hash(experiment.model))
        if changes:
            raise ResultsFolderError(
                f"{folder.path} was made by other code ({'; '.join(changes)}); resuming would "
                "mix rows of two versions of the model: use another --out"
            )
    for damage in damaged_parts(folder, manifest):  # rerun exactly the tasks with holes
        entry = next(e for e in manifest["tasks"] if e["id"] == damage.task)
        entry["status"], entry["message"] = "pending", f"{damage.part} {damage.problem}; rerun"
        (folder.path / damage.part).unlink(missing_ok=True)
    manifest["status"] = "running"
    manifest.setdefault("resumed", []).append(now())
    folder.write_manifest(manifest)
    return manifest


def record(entry: dict[str, Any], task: Task, report: dict | None, error: str | None) -> None:
    """Write a task's outcome into its manifest entry."""
    size = task.chunk.stop - task.chunk.start
    if error is not None:
        entry.update(status="failed", message=f"task failed: {error}", failed_runs=[])
        entry["failed_count"] = size
    elif report["failures"]:
        count = len(report["failures"])
        first = report["failures"][0]
        entry.update(
            status="failed",
            message=f"{count} of {size} runs failed; first: replication {first['replication']}: "
            f"{first['error']}",
            failed_runs=report["failures"],
            failed_count=count,
        )
    else:
        entry.update(status="done", message="", failed_runs=[], failed_count=0)
    if report is not None:
        entry["seconds"] = report["seconds"]
        for key in ("runs_sha256", "series_sha256", "series_rows"):
            entry[key] = report.get(key)
        entry["runs_rows"] = report["rows"]
        if report.get("write_error"):  # parts not (all) written: the task is to run again
            entry.update(status="pending", message=report["write_error"], failed_runs=[])
