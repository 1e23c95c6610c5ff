"""Choosing an executor: refused settings name the field, and the defaults are what the docs say."""

from __future__ import annotations

import pytest

from sim.errors import ConfigError
from sim.experiment.executors import ProcessExecutor, SerialExecutor, make_executor


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "threads", "workers": None}, r"executor: expected one of \['serial'"),
        ({"name": "processes", "workers": 0}, "workers: expected at least 1"),
        ({"name": "serial", "workers": 2}, "no worker processes with the serial executor"),
    ],
)
def test_bad_executor_settings_are_config_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        make_executor(**kwargs, tasks=4, runs=100, engine="batch")


@pytest.mark.parametrize(
    ("workers", "start_method", "message"),
    [(0, "spawn", "workers: expected at least 1, found 0"),
     (2, "fork", "start_method: expected one of")],
)  # fmt: skip
def test_a_process_executor_refuses_impossible_settings(workers, start_method, message):
    with pytest.raises(ValueError, match=message):
        ProcessExecutor(workers, start_method=start_method)


def test_defaults_serial_for_few_runs_processes_when_asked():
    assert isinstance(make_executor(None, None, tasks=4, runs=10, engine="batch"), SerialExecutor)
    chosen = make_executor(None, 2, tasks=4, runs=10, engine="batch")
    assert isinstance(chosen, ProcessExecutor) and chosen.workers == 2
    assert isinstance(make_executor(None, 2, tasks=1, runs=10, engine="batch"), SerialExecutor)
