"""Executors: the default choice, dying workers, and scripts that workers re-run."""

from __future__ import annotations

import operator
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from sim.errors import ConfigError
from sim.experiment.executors import (
    ProcessExecutor,
    WorkersDyingError,
    check_not_in_a_worker,
    make_executor,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("engine", "runs", "tasks", "cpus", "expected"),
    [
        ("batch", 4_999, 10, 2, "serial"), ("batch", 5_000, 10, 2, "processes"),
        ("mesa", 199, 4, 2, "serial"), ("mesa", 200, 4, 2, "processes"),
        ("model", 199, 4, 2, "serial"), ("model", 200, 4, 2, "processes"),
        ("batch", 50_000, 1, 2, "serial"), ("batch", 50_000, 100, 1, "serial"),
    ],
)  # fmt: skip
def test_the_default_executor_is_processes_only_where_they_are_faster(
    monkeypatch, engine, runs, tasks, cpus, expected
):
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    assert make_executor(None, None, tasks=tasks, runs=runs, engine=engine).name == expected


def test_workers_ask_for_processes_and_are_refused_with_serial():
    pool = make_executor(None, 3, tasks=5, runs=10)
    assert (pool.name, pool.workers) == ("processes", 3)
    with pytest.raises(ConfigError, match=r"workers: expected no worker processes with the ser"):
        make_executor("serial", 2, tasks=5, runs=10)
    assert make_executor("serial", 1, tasks=5, runs=10).name == "serial"


def test_worker_processes_do_not_import_mesa_or_scipy_stats():
    # a worker imports sim.experiment.tasks (the task function) and the parent's main module
    # (sim.cli for the alliance-sim command); Mesa and scipy.stats cost more than half a second
    code = (
        "import sys, sim.cli, sim.experiment.tasks; print({'mesa', 'scipy.stats'} & {*sys.modules})"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    assert done.stdout.strip() == "set()"


def test_a_worker_that_dies_fails_only_its_own_task():
    # operator.call(partial(f, x)) is f(x): light tasks, importable in a worker
    items = [partial(abs, -1), partial(os._exit, 70), partial(abs, -3), partial(abs, -4)]
    outcomes = {item.args[0]: (result, error) for item, result, error in
                ProcessExecutor(2).imap_unordered(operator.call, items)}  # fmt: skip
    assert {x: result for x, (result, _) in outcomes.items()} == {-1: 1, 70: None, -3: 3, -4: 4}
    assert outcomes[70][1].startswith("worker process died: ")
    assert [error for x, (_, error) in outcomes.items() if x != 70] == [None] * 3


def test_workers_that_always_die_stop_the_executor_with_a_clear_error():
    items = [partial(os._exit, 70)] * 5
    with pytest.raises(WorkersDyingError, match=r"died in the first 3 tasks and none finished"):
        list(ProcessExecutor(2).imap_unordered(operator.call, items))


UNGUARDED = """
import operator, functools
from sim.experiment.executors import ProcessExecutor, check_not_in_a_worker
check_not_in_a_worker(None)  # a worker re-running this script refuses here
print(list(ProcessExecutor(1).imap_unordered(operator.call, [functools.partial(abs, -2)])))
"""


def test_an_unguarded_script_is_refused_in_its_workers(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    assert "NestedProcessesError" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr
    assert "worker process died" in done.stdout  # the parent records the task as failed
    check_not_in_a_worker("processes")  # the main process may start workers
    checks = [partial(check_not_in_a_worker, None), partial(check_not_in_a_worker, "serial")]
    errors = sorted(str(e) for _, _, e in ProcessExecutor(1).imap_unordered(operator.call, checks))
    assert errors[0].startswith("NestedProcessesError: run_experiment was called in a process")
    assert errors[1] == "None"
