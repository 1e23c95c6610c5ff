"""Executors: run task functions one after another or in worker processes.

Both executors have one method, :meth:`imap_unordered`, which yields ``(item, result, error)``
as tasks finish: ``error`` is None when the task returned, else a one-line description of what it
raised (the task is then recorded as failed and the others go on). ``KeyboardInterrupt`` is not
caught: it stops the executor and reaches the caller.

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
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from sim.errors import ConfigError

EXECUTORS = ("serial", "processes")
START_METHODS = ("spawn", "forkserver")

Outcome = tuple[Any, Any, str | None]


def describe_error(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


class SerialExecutor:
    """Run tasks one after another in this process."""

    name = "serial"
    workers = 1

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

    def __init__(self, workers: int, *, start_method: str = "spawn") -> None:
        if workers < 1:
            raise ValueError(f"workers: expected at least 1, found {workers}")
        if start_method not in START_METHODS:
            raise ValueError(f"start_method: expected one of {START_METHODS}, found "
                             f"{start_method!r}")  # fmt: skip
        self.workers = workers
        self.start_method = start_method

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Outcome]:
        """Yield outcomes as tasks finish; at most ``2 * workers`` tasks are queued at a time."""
        context = multiprocessing.get_context(self.start_method)
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(os.getpid(),),
        )
        pending = iter(items)
        running: dict[Future, Any] = {}
        try:
            self._fill(pool, fn, pending, running)
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    item = running.pop(future)
                    try:
                        result = future.result()
                    except Exception as err:  # reported, includes a dead worker
                        yield item, None, describe_error(err)
                    else:
                        yield item, result, None
                self._fill(pool, fn, pending, running)
        except KeyboardInterrupt:  # let running tasks finish and report them, then stop
            pool.shutdown(wait=True, cancel_futures=True)
            for future, item in running.items():
                if future.done() and not future.cancelled() and future.exception() is None:
                    yield item, future.result(), None
            raise
        finally:  # normal end, Ctrl-C or the consumer stopping: let running tasks end, drop queued
            pool.shutdown(wait=True, cancel_futures=True)

    def _fill(self, pool, fn, pending: Iterator[Any], running: dict[Future, Any]) -> None:
        while len(running) < 2 * self.workers:
            item = next(pending, None)
            if item is None:
                return
            running[pool.submit(fn, item)] = item


def init_worker(parent_pid: int) -> None:
    """Worker start-up: ignore Ctrl-C (the parent handles it) and exit when the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def make_executor(
    name: str | None, workers: int | None, *, tasks: int
) -> SerialExecutor | ProcessExecutor:
    """The executor asked for; by default processes when there are several tasks and cores.

    Parameters
    ----------
    name : {"serial", "processes"} or None
        None chooses ``processes`` if more than one worker would be busy, else ``serial``.
    workers : int or None
        Worker processes; None means one per CPU, but no more than there are tasks.
    tasks : int, keyword-only
        Number of tasks to run.
    """
    if name is not None and name not in EXECUTORS:
        raise ConfigError(None, "executor", f"one of {list(EXECUTORS)}", name)
    if workers is not None and workers < 1:
        raise ConfigError(None, "workers", "at least 1", workers)
    if workers is None:
        workers = max(1, min(os.cpu_count() or 1, tasks))
    if name is None:
        name = "processes" if workers > 1 and tasks > 1 else "serial"
    return SerialExecutor() if name == "serial" else ProcessExecutor(workers)
