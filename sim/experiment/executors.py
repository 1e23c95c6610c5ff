"""Executors: run task functions one after another or in worker processes.

Both executors have one method, :meth:`imap_unordered`, which yields ``(item, result, error)``
as tasks finish: ``error`` is None when the task returned, else a one-line description of what it
raised (the task is then recorded as failed and the others go on). ``KeyboardInterrupt`` is not
caught: it stops the executor and reaches the caller. A worker process that dies fails only the
task it was running (see :meth:`ProcessExecutor.imap_unordered`).

The process executor uses ``concurrent.futures.ProcessPoolExecutor`` with an explicit
``multiprocessing`` context (``spawn`` by default, the same on every platform), so it changes no
global multiprocessing state and works from scripts and notebooks alike. The task function must
therefore be importable (defined at the top level of a module), and a script that runs
experiments in processes needs the usual ``if __name__ == "__main__":`` guard. Workers ignore
Ctrl-C (the parent stops them cleanly) and exit on their own if the parent process dies.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.errors import AllianceSimError, ConfigError

EXECUTORS = ("serial", "processes", "dask")  # dask: sim.experiment.dask_executor
PROCESSES_FROM = {"batch": 5_000, "mesa": 200, "model": 200}  # runs; fewer run faster serially
START_METHODS = ("spawn", "forkserver")

Outcome = tuple[Any, Any, str | None]
END = object()
DYING = 3  # tasks whose worker died, with none finished, before the executor gives up
WORKER_DIED = (
    "the process running this task ended abruptly, twice (killed, out of memory, or a crash in "
    "compiled code)"
)


class NestedProcessesError(AllianceSimError, RuntimeError):
    """An experiment was asked to start worker processes from inside a worker process."""


class WorkersDyingError(AllianceSimError, RuntimeError):
    """Worker processes die before any task finishes (they probably fail at start-up)."""


def check_not_in_a_worker(executor: str | None) -> None:
    """Refuse to start worker processes from a process that multiprocessing started.

    With the ``spawn`` start method every worker imports the main script again; a script that
    calls ``run_experiment`` outside an ``if __name__ == "__main__":`` guard would therefore
    start the experiment again in every worker.

    Raises
    ------
    NestedProcessesError
        If this process has a multiprocessing parent and ``executor`` is not ``"serial"``.
    """
    if executor != "serial" and in_a_worker():
        raise NestedProcessesError(
            "run_experiment was called in a process started by multiprocessing, which cannot "
            "start worker processes of its own. In a script, put the call under "
            '`if __name__ == "__main__":` (every worker process imports the script again and '
            'runs its unguarded code); inside a process of your own, pass executor="serial".'
        )


def in_a_worker() -> bool:
    """Whether multiprocessing started this process.

    While a spawned worker imports the main script, ``parent_process()`` is still None (it is
    set just after), but the process already has its worker name, e.g. ``SpawnProcess-1``.
    """
    if multiprocessing.parent_process() is not None:
        return True
    return multiprocessing.current_process().name != "MainProcess"


def describe_error(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


class SerialExecutor:
    """Run tasks one after another in this process."""

    name = "serial"
    workers = 1
    shares_folder = True  # tasks write their own parts

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Outcome]:
        for item in items:
            try:
                result = fn(item)
            except Exception as err:  # a failed task is reported, not raised
                yield item, None, describe_error(err)
            else:
                yield item, result, None


class ProcessExecutor:
    """Run tasks in a pool of worker processes.

    Parameters
    ----------
    workers : int
        Number of worker processes.
    start_method : {"spawn", "forkserver"}, keyword-only
        How workers are started; passed as an explicit context, never set globally.
    """

    name = "processes"
    shares_folder = True  # tasks write their own parts

    def __init__(self, workers: int, *, start_method: str = "spawn") -> None:
        if workers < 1:
            raise ValueError(f"workers: expected at least 1, found {workers}")
        if start_method not in START_METHODS:
            raise ValueError(f"start_method: expected one of {START_METHODS}, found "
                             f"{start_method!r}")  # fmt: skip
        self.workers = workers
        self.start_method = start_method

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Outcome]:
        """Yield outcomes as tasks finish; at most ``2 * workers`` tasks are queued at a time.

        When a worker process dies (killed, out of memory, a crash in compiled code) the pool
        breaks and every task in it fails with ``BrokenProcessPool``. The pool is then rebuilt
        and those tasks are run again one at a time: a task that breaks the pool a second time
        (alone, so it is the culprit) is reported as failed (``worker process died: ...``); the
        others complete.
        """
        pending = iter(items)
        ready: deque[tuple[Any, int]] = deque()  # (task, pool breaks seen) to submit first
        running: dict[Future, tuple[Any, int]] = {}
        died = finished = 0
        pool = self._pool()
        try:
            while True:
                try:
                    self._submit(pool, fn, pending, ready, running)
                    broken = False
                except BrokenProcessPool:  # it broke after its last result came in
                    broken = True
                if not running and not broken:
                    return
                done: set[Future] = set()
                if running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    if broken or any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                        broken = True
                        done, _ = wait(running)  # the others end at once, with the same error
                for future in done:
                    item, breaks = running.pop(future)
                    error = future.exception()
                    if isinstance(error, BrokenProcessPool) and breaks == 0:
                        ready.append((item, 1))  # a suspect: run it again, alone
                    elif isinstance(error, BrokenProcessPool):
                        died += 1
                        yield item, None, f"worker process died: {WORKER_DIED}"
                    elif error is not None:
                        finished += 1
                        yield item, None, describe_error(error)
                    else:
                        finished += 1
                        yield item, future.result(), None
                if died >= DYING and not finished:
                    raise WorkersDyingError(
                        f"worker processes died in the first {died} tasks and none finished: "
                        "they may fail at start-up (their errors are printed above). A script "
                        'that runs experiments needs the `if __name__ == "__main__":` guard.'
                    )
                if broken:
                    pool.shutdown(wait=True)
                    pool = self._pool()
        except KeyboardInterrupt:  # let running tasks finish and report them, then stop
            pool.shutdown(wait=True, cancel_futures=True)
            for future, (item, _) in running.items():
                if future.done() and not future.cancelled() and future.exception() is None:
                    yield item, future.result(), None
            raise
        finally:  # normal end, Ctrl-C or the consumer stopping: let running tasks end, drop queued
            pool.shutdown(wait=True, cancel_futures=True)

    def _pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context(self.start_method),
            initializer=init_worker,
            initargs=(os.getpid(),),
        )

    def _submit(self, pool, fn, pending: Iterator[Any], ready: deque, running: dict) -> None:
        """Keep ``2 * workers`` tasks in the pool, ``ready`` ones first; a suspect runs alone."""
        while len(running) < 2 * self.workers:
            if not ready:
                item = next(pending, END)
                if item is END:
                    return
                ready.append((item, 0))
            item, breaks = ready[0]
            if breaks and running:
                return
            # submit first: if the pool is broken it raises with the task still in ready (in
            # `running[pool.submit(...)] = ready.popleft()` the popleft would run first)
            future = pool.submit(fn, item)
            running[future] = ready.popleft()
            if breaks:
                return


def init_worker(parent_pid: int) -> None:
    """Worker start-up: ignore Ctrl-C (the parent handles it) and exit when the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def check_executor_options(name: str | None, workers: int | None) -> None:
    """Refuse executor options that contradict each other (checked before anything is created).

    Raises
    ------
    ConfigError
        If ``name`` is unknown, ``workers`` < 1, or ``workers`` > 1 with ``serial``.
    """
    if name is not None and name not in EXECUTORS:
        raise ConfigError(None, "executor", f"one of {list(EXECUTORS)}", name)
    if workers is not None and workers < 1:
        raise ConfigError(None, "workers", "at least 1", workers)
    if name == "serial" and workers is not None and workers > 1:
        raise ConfigError(None, "workers", "no worker processes with the serial executor (it "
                          "runs in this process; use executor processes)", workers)  # fmt: skip


def make_executor(
    name: str | None, workers: int | None, *, tasks: int, runs: int, engine: str = "batch"
) -> SerialExecutor | ProcessExecutor:
    """The executor asked for; by default processes only where they are faster than serial.

    Starting a worker process costs about 0.6 s (a fresh Python importing NumPy, pandas and
    the model), so worker processes pay off only for enough runs: ``PROCESSES_FROM`` runs
    of an engine (measured on 2 CPUs, docs/experiments.md).

    Parameters
    ----------
    name : {"serial", "processes"} or None
        None chooses ``processes`` when ``workers`` > 1 is given, or when there are several
        tasks and CPUs and at least ``PROCESSES_FROM[engine]`` runs; else ``serial``.
    workers : int or None
        Worker processes; None means one per CPU, but no more than there are tasks.
    tasks : int, keyword-only
        Number of tasks to run.
    runs : int, keyword-only
        Number of runs in those tasks.
    engine : {"batch", "mesa", "model"}, keyword-only
        What runs them.

    Raises
    ------
    ConfigError
        If ``name`` is unknown, ``workers`` < 1, or ``workers`` > 1 with ``serial``.
    """
    check_executor_options(name, workers)
    cpus = os.cpu_count() or 1
    if name is None and workers is not None:
        name = "processes" if workers > 1 and tasks > 1 else "serial"
    elif name is None:
        faster = runs >= PROCESSES_FROM.get(engine, PROCESSES_FROM["model"])
        name = "processes" if faster and cpus > 1 and tasks > 1 else "serial"
    if name == "dask":
        raise ValueError("the dask executor connects to a cluster: use dask_executor.open_cluster")
    if name == "serial":
        return SerialExecutor()
    return ProcessExecutor(workers or max(1, min(cpus, tasks)))
