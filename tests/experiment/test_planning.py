"""Before anything is created: option combinations, sizes that cannot fit, ``--dry-run``; and
provenance that refuses to resume across a change of the model's code."""

from __future__ import annotations

import json
import textwrap

import pytest

from sim import load_experiment, run_experiment
from sim.cli import main
from sim.errors import ConfigError
from sim.experiment.planning import check_plan, duration, size
from sim.experiment.provenance import code_changes, code_hash
from sim.experiment.runner import plan, run_to_folder
from sim.experiment.store import ResultsFolderError
from tests.experiment.test_runner import write_experiment


def test_contradicting_options_are_refused_before_the_folder_exists(tmp_path, capsys):
    path = write_experiment(tmp_path, replications=4, months=12)
    out = tmp_path / "out"
    args = ["run", str(path), "--out", str(out), "--executor", "serial"]
    assert main([*args, "--workers", "2"]) == 2
    assert (
        "workers: expected no worker processes with the serial executor" in capsys.readouterr().err
    )
    assert not out.exists()
    assert main(args) == 0  # the corrected command is not refused


def test_a_run_too_large_for_its_manifest_is_refused_with_the_estimate(tmp_path):
    experiment = load_experiment(write_experiment(tmp_path), replications=10**12)
    with pytest.raises(
        ConfigError,
        match=r"replications: expected a run whose manifest fits: at "
        r"most 200,000 tasks, but 3,000,000,000,000 runs .* 6,000,000,000 tasks",
    ):
        run_to_folder(experiment, out=tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_a_run_larger_than_the_free_disk_is_refused(tmp_path):
    experiment = load_experiment(write_experiment(tmp_path), replications=20)
    sized = plan(experiment, out=tmp_path / "out", executor="serial", probe=True)
    assert sized.disk_bytes > 0 and sized.seconds > 0
    small = type(sized)(**{**sized.__dict__, "free_bytes": sized.disk_bytes // 2})
    with pytest.raises(ConfigError, match=r"a run that fits on the disk: about .* of parts"):
        check_plan(small, experiment.file)


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path, capsys):
    path = write_experiment(tmp_path, replications=30, months=12)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--dry-run"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "3 variant(s) × 30 replications = 90 runs in 3 tasks" in text
    assert "time: about" in text and "disk: about" in text and "free" in text
    assert "nothing written" in text
    assert not out.exists()


def test_sizes_and_durations_in_words():
    assert size(512) == "512 bytes" and size(2_500_000) == "2.5 MB"
    assert duration(30) == "30 s" and duration(600) == "10 min" and duration(7200) == "2.0 h"


# --- provenance -----------------------------------------------------------------------------------


def test_the_code_hash_covers_every_model_source_file():
    record = code_hash()
    assert "sim/model/dynamics.py" in record["files"] and "sim/model/phases.py" in record["files"]
    assert record == code_hash()  # deterministic
    changed = {**record, "files": {**record["files"], "sim/model/dynamics.py": "0" * 64}}
    assert code_changes(changed, record) == ["sim/model/dynamics.py changed"]
    assert code_changes({**record, "alliance-sim": "0.0.1"}, record) == [
        f"alliance-sim 0.0.1 then, {record['alliance-sim']} now"
    ]


def interrupt(folder) -> None:
    """Make a finished folder look interrupted: its last task still to run."""
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["status"] = "interrupted"
    manifest["tasks"][-1]["status"] = "pending"
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_resume_refuses_a_changed_model_source_file(tmp_path):
    path = write_experiment(tmp_path, replications=4, months=12)
    run_experiment(load_experiment(path), out=tmp_path / "out", executor="serial",
                   chunk_size=2, progress=False)  # fmt: skip
    folder = tmp_path / "out" / "small"
    interrupt(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["code"]["files"]["sim/model/dynamics.py"] = "0" * 64  # as if edited since
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResultsFolderError, match=r"made by other code \(sim/model/dynamics\.py "
                       r"changed\); resuming would mix rows"):  # fmt: skip
        run_to_folder(load_experiment(path), out=tmp_path / "out", resume=True, progress=False)


MODEL = """
import mesa

class Counter(mesa.Model):
    def __init__(self, rate=1.0, rng=None):
        super().__init__(rng=rng)
        self.total = 0.0
        self.rate = rate

    def step(self):
        self.total += self.rate * float(self.rng.random())
"""


def test_resume_refuses_a_generic_model_edited_since(tmp_path, monkeypatch):
    (tmp_path / "edited_model.py").write_text(textwrap.dedent(MODEL))
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "counter.yaml"
    path.write_text("name: counter\nmodel: edited_model:Counter\ncollect: [total]\nsteps: 3\n"
                    "replications: 6\n")  # fmt: skip
    run_experiment(load_experiment(path), out=tmp_path / "out", executor="serial",
                   chunk_size=2, progress=False)  # fmt: skip
    interrupt(tmp_path / "out" / "counter")
    (tmp_path / "edited_model.py").write_text(textwrap.dedent(MODEL).replace("1.0", "2.0"))
    with pytest.raises(ResultsFolderError, match=r"edited_model \(edited_model\.py\) changed"):
        run_to_folder(load_experiment(path), out=tmp_path / "out", resume=True, progress=False)
