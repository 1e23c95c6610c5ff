"""Run experiment tasks on a Dask cluster: a running scheduler, or a local cluster to try it out.

:class:`DaskExecutor` has the interface of the other executors (:meth:`~DaskExecutor.
imap_unordered` yields ``(item, result, error)`` as tasks finish), with what workers on other
machines need:

- Workers share no file system with this process: a task returns its parts as Parquet bytes
  (:func:`sim.experiment.tasks.compute_task`) and the runner writes them here as tasks finish
  (``shares_folder = False`` tells it so).
- At most ``IN_FLIGHT_PER_THREAD`` tasks per worker thread are on the cluster at a time, so
  results never pile up in this process however large the experiment; a result is released on
  the cluster as soon as it is read, so a worker that dies later is not asked to compute it again.
- Before the first task, every worker must run the same alliance-sim (version and code hash) and
  the same versions of the packages that the results depend on; otherwise :class:`ClusterError`
  names the workers that differ, and how. Each task checks again on its worker (a cached
  comparison), so a worker that joins later with other code fails its tasks, named, instead of
  writing rows that could differ.

Tasks are submitted with ``pure=False`` and a key of their own, so two tasks never share a
result even with equal arguments (Dask computes identical pure calls once). The seeds travel in
the task. A worker that dies loses only its running tasks: the scheduler runs them again on the
other workers; a task that kills ``distributed.scheduler.allowed-failures`` workers (3 by
default) is reported as failed. On Ctrl-C the tasks already finished are reported, the others
are cancelled (``--resume`` runs them).
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sim.errors import AllianceSimError, ConfigError
from sim.experiment.executors import Outcome, describe_error
from sim.experiment.provenance import code_hash
from sim.experiment.store import package_versions

SCHEDULER_ENV = "ALLIANCE_SIM_SCHEDULER"
INSTALL = 'pip install "alliance-sim[distributed]"'
LOOPBACK = "127.0.0.1"  # a local cluster listens on this machine only
IN_FLIGHT_PER_THREAD = 2
CONNECT_SECONDS = 10.0
WORKERS_SECONDS = 60.0  # how long to wait for a first worker to join the scheduler
RECOUNT_SECONDS = 5.0  # how often to ask how many worker threads there are (clusters scale)
WORKER_DIED = (
    "the Dask workers running this task died each time (killed, out of memory, or a crash in "
    "compiled code)"
)
TLS_ENV = "DASK_DISTRIBUTED__COMM__TLS__"  # environment variables of Dask's TLS settings
TRIM = "MALLOC_TRIM_THRESHOLD_"
LOCAL_SETTINGS = {
    # Dask's nanny starts its workers with MALLOC_TRIM_THRESHOLD_=65536, which also turns off
    # glibc's adaptive mmap threshold: every NumPy array over 128 kB is then mapped and unmapped
    # afresh, and the batch engine's chunks took twice the CPU time (a million page faults per
    # 2,000 runs; bench/dask.py). None leaves the variable unset.
    f"distributed.nanny.pre-spawn-environ.{TRIM}": None,
    # the statistical profiler (a stack sample every 10 ms) feeds a dashboard, which a local
    # cluster started here has not
    "distributed.worker.profile.enabled": False,
}


class ClusterError(AllianceSimError, RuntimeError):
    """The Dask cluster cannot be used: Dask missing, scheduler unreachable, no workers, workers
    with other code or versions, or the scheduler lost."""


class SlowWorkersWarning(UserWarning):
    """Dask workers run with settings that slow the runs down (their results do not change)."""


class WorkerMismatchError(ClusterError):
    """A task reached a worker that runs other code or package versions than the client."""


def import_distributed():
    """The ``distributed`` package, or a ClusterError that says how to install it."""
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            "the dask executor needs Dask distributed, which is not installed; install it with: "
            f"{INSTALL}"
        ) from None
    return distributed


# --- what every worker must share with this process ---------------------------------------------


@cache
def identity(model: str | None = None) -> dict[str, str]:
    """What the results depend on in this process: package versions and the code hash.

    ``code`` is the hash that the manifest records for resumes
    (:func:`sim.experiment.provenance.code_hash`: the source files that decide the rows, with
    ``model`` the module of a generic Mesa model). Python counts by its major.minor version: a
    patch release changes no result. Cached: the installed code does not change under a
    running process.
    """
    versions = package_versions()
    versions["python"] = ".".join(versions["python"].split(".")[:2])
    return {**versions, "code": code_hash(model)["sha256"]}


def worker_identity(model: str | None = None) -> dict[str, str]:
    """:func:`identity` as a worker computes it (the function that workers are asked to run)."""
    return identity(model)


def run_checked(
    fn: Callable[[Any], Any], item: Any, expected: dict[str, str], model: str | None = None
) -> Any:
    """``fn(item)`` on a worker, once it is known to run the client's code and versions.

    Raises
    ------
    WorkerMismatchError
        If this worker's :func:`identity` differs from ``expected``, naming what differs.
    """
    problem = mismatches(expected, {worker_address(): identity(model)})
    if problem:
        raise WorkerMismatchError(
            f"a Dask worker runs other code or package versions than the client (it joined "
            f"after the check?): {problem.strip()}; install the same alliance-sim there, then "
            "rerun with --resume"
        )
    return fn(item)


def worker_address() -> str:
    """The address of the Dask worker running this code ("this process" outside a worker)."""
    try:
        return import_distributed().get_worker().address
    except ValueError:
        return "this process"


def mismatches(expected: dict[str, str], found: dict[str, dict[str, str]]) -> str:
    """One line per worker whose identity differs from ``expected``, saying how ("" if none)."""
    lines = []
    for worker, theirs in sorted(found.items()):
        differences = [
            f"{key} {theirs.get(key, 'missing')} (here {value})"
            for key, value in expected.items()
            if theirs.get(key) != value
        ]
        if differences:
            lines.append(f"  {worker}: {', '.join(differences)}")
    return "\n".join(lines)


def local_cluster(workers: int, **options: Any):
    """A Dask ``LocalCluster`` on 127.0.0.1: ``workers`` single-threaded worker processes, no
    dashboard, and the worker settings of ``LOCAL_SETTINGS`` (it is closed by its caller);
    ``options`` go to ``LocalCluster`` (e.g. ``protocol="tls", security=...``).

    One thread per process: a run is NumPy-light Python, so threads of one process would
    share its interpreter lock.
    """
    import dask.config

    distributed = import_distributed()
    with dask.config.set(LOCAL_SETTINGS):  # read as the nannies start
        return distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host=LOOPBACK,
            dashboard_address=None, **options,
        )  # fmt: skip


def slow_workers(environments: dict[str, str | None]) -> str:
    """A warning naming the workers started with ``MALLOC_TRIM_THRESHOLD_`` set ("" if none).

    Dask's ``dask worker`` sets it by default; it makes the batch engine's runs take up to twice
    the CPU time (``LOCAL_SETTINGS``). The results do not change, so this is a warning.
    """
    slow = sorted(worker for worker, value in environments.items() if value is not None)
    if not slow:
        return ""
    return (
        f"{len(slow)} of {len(environments)} Dask workers run with {TRIM} set ({', '.join(slow)})"
        ", which makes runs up to twice as slow; start them with it unset: put "
        f"`distributed: {{nanny: {{pre-spawn-environ: {{{TRIM}: null}}}}}}` in "
        "~/.config/dask/distributed.yaml on the worker machines (docs/cluster.md)"
    )


def worker_trim() -> str | None:
    """This worker's ``MALLOC_TRIM_THRESHOLD_`` (a function that workers are asked to run)."""
    return os.environ.get(TRIM)


def check_tls(security, address: str) -> None:
    """Refuse a ``tls://`` scheduler when Dask's configuration gives this client no certificate.

    Dask reads the certificate of its client from ``distributed.comm.tls`` (``TLS_ENV``
    variables, or ``~/.config/dask/*.yaml``); without one it fails with a ``TypeError`` deep in
    its connection code.

    Raises
    ------
    ClusterError
        Naming the settings that are missing and the variables that set them.
    """
    fields = {
        "CA_FILE": ("certificate authority", security.tls_ca_file),
        "CLIENT__CERT": ("client certificate", security.tls_client_cert),
    }
    missing = {name: what for name, (what, value) in fields.items() if not value}
    if missing:
        raise ClusterError(
            f"the Dask scheduler at {address} uses TLS, and Dask's configuration gives this "
            f"client no {' and no '.join(missing.values())}: set "
            f"{', '.join(TLS_ENV + name for name in missing)} (and {TLS_ENV}CLIENT__KEY if the "
            "key is in a file of its own) to the files of your cluster's certificate authority "
            "(docs/cluster.md)"
        )


# --- the executor ------------------------------------------------------------------------------


@contextmanager
def open_cluster(
    name: str | None, workers: int | None, scheduler: str | None, *, model: str | None = None
) -> Iterator[DaskExecutor | None]:
    """The Dask executor, connected and its workers checked, if asked for; else None.

    ``scheduler`` alone asks for Dask; with ``name="dask"`` and no ``scheduler`` the address is
    taken from ``ALLIANCE_SIM_SCHEDULER``, or a local cluster is started. ``model`` is a
    generic Mesa model experiment's ``module:Class``, whose source the workers must share.

    Raises
    ------
    ConfigError
        If ``scheduler`` is given with another executor, or ``workers`` with a scheduler.
    ClusterError
        As :meth:`DaskExecutor.__enter__`.
    """
    if scheduler is not None and name not in (None, "dask"):
        raise ConfigError(None, "scheduler", "no scheduler with the "
                          f"{name} executor (it is for executor dask)", scheduler)  # fmt: skip
    if name != "dask" and scheduler is None:
        yield None
        return
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    with DaskExecutor(address, workers=workers, model=model) as pool:
        yield pool


class DaskExecutor:
    """Run tasks on a Dask cluster; use it as a context manager (it connects on entry).

    Parameters
    ----------
    scheduler : str or None
        Address of a running scheduler (``tcp://host:8786``, ``tls://host:8786``) or the path
        of a scheduler file (``dask scheduler --scheduler-file scheduler.json``); None starts a
        local cluster on 127.0.0.1 for this run.
    workers : int or None, keyword-only
        Worker processes of a local cluster (one thread each; None: one per CPU). Refused with
        a scheduler, whose cluster has the workers it has.
    model : str or None, keyword-only
        A generic Mesa model experiment's ``module:Class``: workers must have the same source
        of its module (part of :func:`identity`).
    """

    name = "dask"
    shares_folder = False

    def __init__(
        self, scheduler: str | None, *, workers: int | None = None, model: str | None = None
    ) -> None:
        if scheduler is not None and workers is not None:
            raise ConfigError(None, "workers", "no --workers with a scheduler (its cluster "
                              "has the workers it has: start more `dask worker`s)",
                              workers)  # fmt: skip
        if workers is not None and workers < 1:
            raise ConfigError(None, "workers", "at least 1", workers)
        self.scheduler = scheduler
        self.model = model
        self.local_workers = workers or os.cpu_count() or 1
        self.workers = 0  # worker threads, counted on entry
        self.expected: dict[str, str] = {}  # the identity every worker must have
        self.client = self.cluster = None

    def __enter__(self) -> DaskExecutor:
        """Connect (or start a local cluster), wait for a worker and check every worker.

        Raises
        ------
        ClusterError
            If Dask is not installed, the scheduler cannot be reached, no worker joins within
            ``WORKERS_SECONDS``, or workers run other code or package versions than this process.
        """
        distributed = import_distributed()
        try:
            self.client = self._connect(distributed)
            self._check_workers()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    def _connect(self, distributed):
        if self.scheduler is None:
            self.cluster = local_cluster(self.local_workers)
            return distributed.Client(self.cluster, set_as_default=False)
        where = {"address": self.scheduler}
        if self.scheduler.endswith(".json"):
            if not Path(self.scheduler).is_file():
                raise ClusterError(
                    f"no scheduler file {self.scheduler} (the file `dask scheduler "
                    "--scheduler-file` writes); check --scheduler"
                )
            where = {"scheduler_file": self.scheduler}
        elif self.scheduler.startswith("tls://"):
            check_tls(distributed.Security(), self.scheduler)
        try:
            return distributed.Client(**where, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as err:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {self.scheduler} ({err}); check --scheduler "
                f"(or {SCHEDULER_ENV}) and that `dask scheduler` runs there"
            ) from None

    def _check_workers(self) -> None:
        """Wait for a first worker, then refuse workers whose code or versions differ."""
        address = self.client.scheduler.address
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise ClusterError(
                f"no Dask worker joined the scheduler at {address} within {WORKERS_SECONDS:.0f} "
                f"s; start some with `dask worker {address}`"
            ) from None
        self.expected = identity(self.model)
        problem = mismatches(self.expected, self.client.run(worker_identity, self.model))
        if problem:
            raise ClusterError(
                "these Dask workers run other code or package versions than this process, so "
                f"their results could differ:\n{problem}\nInstall this alliance-sim (and these "
                "package versions) on them, or stop them; nothing was run"
            )
        warning = slow_workers(self.client.run(worker_trim))
        if warning:
            warnings.warn(warning, SlowWorkersWarning, stacklevel=2)
        self.workers = self._threads()

    def _threads(self) -> int:
        return sum(self.client.nthreads().values())

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Outcome]:
        """Yield ``(item, result, error)`` as tasks finish, with few tasks in flight at a time.

        Raises
        ------
        ClusterError
            If the connection to the scheduler is lost (tasks then come back cancelled).
        """
        if self.client is None:
            raise RuntimeError("DaskExecutor: use it in a `with` block (it connects on entry)")
        distributed = import_distributed()
        pending = iter(items)
        running: dict[Any, Any] = {}  # future -> item
        finished = distributed.as_completed(loop=self.client.loop)
        counted = time.monotonic()
        try:
            self._submit(fn, pending, running, finished)
            for future in finished:
                item = running.pop(future)
                yield item, *self._outcome(future, distributed)
                if time.monotonic() - counted > RECOUNT_SECONDS:
                    self.workers, counted = max(self._threads(), 1), time.monotonic()
                self._submit(fn, pending, running, finished)
        except KeyboardInterrupt:  # report what finished; the others run again on --resume
            for future, item in list(running.items()):
                if future.status == "finished":
                    yield item, *self._outcome(future, distributed)
            raise
        finally:
            self.client.cancel(list(running))

    def _submit(self, fn, pending: Iterator[Any], running: dict, finished) -> None:
        """Keep ``IN_FLIGHT_PER_THREAD`` tasks per worker thread on the cluster."""
        while len(running) < IN_FLIGHT_PER_THREAD * max(self.workers, 1):
            item = next(pending, running)  # running: a sentinel no item can be
            if item is running:
                return
            key = f"alliance-sim-{getattr(item, 'id', 'task')}-{uuid.uuid4().hex}"
            future = self.client.submit(run_checked, fn, item, self.expected, self.model,
                                        key=key, pure=False)  # fmt: skip
            running[future] = item
            finished.add(future)

    def _outcome(self, future, distributed) -> tuple[Any, str | None]:
        """A finished future's result or error; the future is then released on the cluster."""
        try:
            if future.status == "finished":
                return future.result(), None
            if future.status == "cancelled":
                raise ClusterError(
                    f"lost the Dask scheduler at {self.client.scheduler.address} (its tasks were "
                    "cancelled); the results so far are saved: rerun with --resume"
                )
            error = future.exception()
            if isinstance(error, distributed.KilledWorker):
                return None, f"worker process died: {WORKER_DIED}"
            return None, describe_error(error)
        finally:
            future.release()
