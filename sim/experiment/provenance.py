"""Which code produced a results folder's rows: the package version and a hash of the model.

A resume must not mix rows of two versions of the model, so the manifest records
:func:`code_hash` when a run starts and a resume compares it with the code now: for a scenario
experiment the source files of :mod:`sim.model` (the equations, the month, both engines), for a
generic Mesa model the source file of the module that defines it (and Mesa's version), and in
both cases the modules that turn a chunk of seeds into rows (``CHUNK_MODULES``). The Dask
executor checks the same hash on every worker (:mod:`sim.experiment.dask_executor`), so that
workers refused as "other code" are exactly those whose rows could differ.
"""

from __future__ import annotations

import importlib.util
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.experiment.store import sha256_bytes, sha256_json

MODEL_PACKAGE = "sim.model"
# run on the workers and decide the rows: identifiers, failure isolation, sweeps, Mesa models
CHUNK_MODULES = ("sim.experiment.chunks", "sim.experiment.mesa_models")


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def source_files(experiment_model: str | None) -> dict[str, Path]:
    """The source files whose code decides the rows, by the name shown in messages."""
    files = {}
    for module in CHUNK_MODULES:
        origin = Path(importlib.util.find_spec(module).origin)
        files[f"{module.replace('.', '/')}.py"] = origin
    if experiment_model is None:
        spec = importlib.util.find_spec(MODEL_PACKAGE)  # imports `sim`, not the model (Mesa)
        folder = Path(spec.origin).parent
        return {**{f"sim/model/{path.name}": path for path in sorted(folder.glob("*.py"))},
                **files}  # fmt: skip
    module = experiment_model.partition(":")[0]
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        return files
    return {f"{module} ({Path(spec.origin).name})": Path(spec.origin), **files}


def code_hash(model: str | None = None) -> dict[str, Any]:
    """The version of alliance-sim (and Mesa) and the SHA-256 of every source file that
    decides the rows (:func:`source_files`).

    Parameters
    ----------
    model : str, optional
        A generic Mesa model experiment's ``module:Class``; None for scenario experiments.

    Returns
    -------
    dict
        ``{"alliance-sim": version, "mesa": version, "files": {name: sha256}, "sha256": ...}``,
        where the last hashes all the others together.
    """
    record: dict[str, Any] = {"alliance-sim": version("alliance-sim"), "mesa": version("mesa")}
    record["files"] = {name: sha256_bytes(path.read_bytes())
                       for name, path in source_files(model).items()}  # fmt: skip
    record["sha256"] = sha256_json(record)
    return record


def code_changes(then: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between two :func:`code_hash` records, in words (empty if nothing)."""
    changes = [f"{name} {then.get(name)} then, {now.get(name)} now"
               for name in ("alliance-sim", "mesa") if then.get(name) != now.get(name)]  # fmt: skip
    old, new = then.get("files") or {}, now.get("files") or {}
    changes += [f"{name} changed" for name in sorted(old) if name in new and old[name] != new[name]]
    changes += [f"{name} added" for name in sorted(new) if name not in old]
    changes += [f"{name} removed" for name in sorted(old) if name not in new]
    return changes
