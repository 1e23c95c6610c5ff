"""The process executor's rarer paths, in this process: a pool that breaks between tasks,
Ctrl-C while tasks run, the worker's start-up (Ctrl-C ignored, exit when the parent dies).

A scripted pool stands in for ``ProcessPoolExecutor`` so that the moment of each break or
interruption is exact; the real pool's dying workers are tested in ``test_executors.py``.
"""

from __future__ import annotations

import signal
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

import sim.experiment.executors as executors
from sim.experiment.executors import ProcessExecutor, init_worker, make_executor


class ScriptedPool:
    """Runs each task at once when it is submitted; ``refuse`` is a set of submit numbers
    (counted over every pool) at which submit raises BrokenProcessPool, as a broken pool does."""

    submits = 0

    def __init__(self, log: list, refuse: set[int]) -> None:
        self.log, self.refuse = log, refuse
        log.append("pool")

    def submit(self, fn, item):
        ScriptedPool.submits += 1
        if ScriptedPool.submits in self.refuse:
            raise BrokenProcessPool("a worker died after its last result")
        future = Future()
        try:
            future.set_result(fn(item))
        except Exception as err:
            future.set_exception(err)
        self.log.append(("ran", item))
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        self.log.append(("shutdown", cancel_futures))


def scripted(monkeypatch, refuse=()):
    log: list = []
    ScriptedPool.submits = 0
    monkeypatch.setattr(ProcessExecutor, "_pool", lambda self: ScriptedPool(log, set(refuse)))
    return log


def test_a_pool_that_breaks_between_tasks_is_rebuilt_and_no_task_is_lost(monkeypatch):
    """Submit number 3 finds the pool broken (a worker died after sending its last result,
    with no task running): the pool is replaced and task 3 goes to the new one. Every task
    runs exactly once and none is reported failed."""
    log = scripted(monkeypatch, refuse={3})
    outcomes = list(ProcessExecutor(1).imap_unordered(lambda x: 10 * x, [1, 2, 3, 4]))
    assert sorted(outcomes) == [(1, 10, None), (2, 20, None), (3, 30, None), (4, 40, None)]
    assert [entry for entry in log if entry[0] == "ran"] == [("ran", i) for i in (1, 2, 3, 4)]
    assert log.count("pool") == 2  # the first pool and its replacement


def test_ctrl_c_reports_the_tasks_that_finished_then_stops(monkeypatch):
    """Ctrl-C while tasks run: the tasks already finished are still reported (the caller
    records them), queued ones are cancelled (``cancel_futures``), and the interrupt reaches
    the caller."""
    log = scripted(monkeypatch)

    def task(x):
        if x == 3:
            raise KeyboardInterrupt
        return -x

    seen = []
    with pytest.raises(KeyboardInterrupt):
        for outcome in ProcessExecutor(2).imap_unordered(task, [1, 2, 3, 4]):
            seen.append(outcome)
    assert sorted(seen) == [(1, -1, None), (2, -2, None)]
    assert ("shutdown", True) in log
    assert ("ran", 4) not in log


def test_the_dask_executor_is_not_made_here():
    with pytest.raises(ValueError, match=r"dask executor connects to a cluster: use dask_executor"):
        make_executor("dask", None, tasks=2, runs=10)


def test_a_worker_ignores_ctrl_c_and_exits_when_its_parent_dies(monkeypatch):
    """init_worker runs first in every worker: SIGINT ignored (the parent stops the pool), and
    a daemon thread that checks once a second whether the parent (``parent_pid``) is still the
    parent; when it is not (the parent died, the worker was re-parented), the worker exits 1."""
    handlers, threads, sleeps = [], [], []
    parents = iter([4242, 4242, 1])  # the parent for two seconds, then gone

    class Stop(Exception):
        pass

    def exit_now(code):
        raise Stop(code)

    class Thread:
        def __init__(self, target, name, daemon):
            threads.append((target, name, daemon))

        def start(self):
            pass

    monkeypatch.setattr(executors.signal, "signal", lambda sig, what: handlers.append((sig, what)))
    monkeypatch.setattr(executors.threading, "Thread", Thread)
    monkeypatch.setattr(executors.time, "sleep", sleeps.append)
    monkeypatch.setattr(executors.os, "getppid", lambda: next(parents))
    monkeypatch.setattr(executors.os, "_exit", exit_now)
    init_worker(4242)
    assert handlers == [(signal.SIGINT, signal.SIG_IGN)]
    [(watch, name, daemon)] = threads
    assert (name, daemon) == ("parent-watch", True)
    with pytest.raises(Stop) as stopped:
        watch()
    assert stopped.value.args == (1,)
    assert sleeps == [1.0, 1.0, 1.0]
