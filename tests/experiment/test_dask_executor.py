"""The Dask executor on a real local cluster (loopback only): the same tables as the serial
executor, a worker killed part-way, an interrupted client resumed, workers with other code
refused, and the errors a user can meet (no Dask, no scheduler, wrong flags)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import dask
import distributed
import pandas as pd
import pytest

from sim import cli
from sim.analysis.results import open_results
from sim.errors import ConfigError
from sim.experiment import dask_executor
from sim.experiment.dask_executor import (
    ClusterError,
    DaskExecutor,
    WorkerMismatchError,
    identity,
    local_cluster,
    mismatches,
    open_cluster,
    run_checked,
)
from sim.experiment.provenance import code_hash
from sim.experiment.store import parquet_bytes
from sim.scenario.shipped import ROOT
from sim.workflow import load_experiment, run_experiment

SHIPPED = ROOT / "experiments" / "bulgaria_question.yaml"
WITH_SERIES = ROOT / "experiments" / "baseline_outlook.yaml"


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two single-threaded worker processes on 127.0.0.1, and a client to it."""
    with local_cluster(2) as local, distributed.Client(local, set_as_default=False) as client:
        yield client


@pytest.fixture(scope="module")
def shipped():
    """The shipped Bulgaria experiment, small: 3 variants × 8 replications."""
    return load_experiment(SHIPPED, replications=8)


@pytest.fixture(scope="module")
def serial(shipped, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    return run_experiment(shipped, out=out, executor="serial", progress=False)


def same_tables(results, reference) -> None:
    assert results.status == "complete"
    assert parquet_bytes(results.runs) == parquet_bytes(reference.runs)
    pd.testing.assert_frame_equal(results.summary, reference.summary, check_exact=True)


def test_a_local_cluster_of_two_workers_gives_the_serial_tables(tmp_path):
    experiment = load_experiment(WITH_SERIES, replications=12, months=36)  # with trajectories
    reference = run_experiment(experiment, out=tmp_path / "s", executor="serial", progress=False)
    on_dask = run_experiment(experiment, out=tmp_path / "d", executor="dask", workers=2,
                             chunk_size=5, progress=False)  # fmt: skip
    assert on_dask.manifest["runs_with"] == {"executor": "dask", "workers": 2}
    assert len(on_dask.manifest["tasks"]) == 3
    same_tables(on_dask, reference)
    assert parquet_bytes(on_dask.series) == parquet_bytes(reference.series)


def test_a_running_scheduler_gives_the_serial_tables(cluster, shipped, serial, tmp_path):
    on_dask = run_experiment(shipped, out=tmp_path, scheduler=cluster.scheduler.address,
                             chunk_size=5, progress=False)  # fmt: skip
    assert len(on_dask.manifest["tasks"]) == 6
    same_tables(on_dask, serial)


def test_the_scheduler_can_come_from_the_environment(cluster, shipped, serial, tmp_path,
                                                     monkeypatch):  # fmt: skip
    monkeypatch.setenv(dask_executor.SCHEDULER_ENV, cluster.scheduler.address)
    with open_cluster("dask", None, None) as pool:
        assert pool.scheduler == cluster.scheduler.address and pool.workers == 2
    assert sum(cluster.nthreads().values()) == 2  # our cluster, left running


def test_a_worker_killed_part_way_loses_and_duplicates_nothing(cluster, tmp_path):
    experiment = load_experiment(SHIPPED, replications=30, months=60)
    reference = run_experiment(experiment, out=tmp_path / "s", executor="serial", progress=False)
    pids = cluster.run(os.getpid)
    killed: dict[str, object] = {}

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = [worker for worker, keys in cluster.processing().items()
                    if keys and worker in pids]  # fmt: skip
            if busy:
                killed.update(worker=busy[0], keys=cluster.processing()[busy[0]])
                os.kill(pids[busy[0]], signal.SIGKILL)
                return
            time.sleep(0.005)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    on_dask = run_experiment(experiment, out=tmp_path / "d", scheduler=cluster.scheduler.address,
                             chunk_size=3, progress=False)  # fmt: skip
    killer.join()
    assert killed, "no worker was busy to be killed"
    assert killed["worker"] not in cluster.run(os.getpid)  # it died (the nanny started another)
    same_tables(on_dask, reference)  # nothing lost, nothing twice
    assert len(on_dask.runs) == 90 and not on_dask.runs.duplicated(["variant", "replication"]).any()
    cluster.wait_for_workers(2, timeout=60)


class InterruptWhenAPartAppears:
    """Send this process Ctrl-C (SIGINT) once the first part of a run is on disk, and never
    after ``stop()``: a stray SIGINT landing in a later test would end the whole session."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.sent = folder, False
        self.lock, self.stopped = threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self.watch)
        self.thread.start()

    def watch(self) -> None:
        while not self.stopped.wait(0.005):
            if any((self.folder / "runs").glob("*.parquet")):
                with self.lock:
                    if not self.stopped.is_set():
                        self.sent = True
                        os.kill(os.getpid(), signal.SIGINT)
                return

    def stop(self) -> None:
        with self.lock:
            self.stopped.set()
        self.thread.join()


def test_an_interrupted_client_resumes_to_the_identical_tables(
    cluster, shipped, serial, tmp_path, capsys
):
    out = tmp_path / "out"
    folder = out / shipped.name
    args = ["run", str(SHIPPED), "--out", str(out), "--replications", "8", "--executor", "dask",
            "--scheduler", cluster.scheduler.address, "--chunk-size", "1"]  # fmt: skip
    watcher = InterruptWhenAPartAppears(folder)
    try:
        status = cli.main(args)
    finally:
        watcher.stop()
    assert watcher.sent and status == 130
    err = " ".join(capsys.readouterr().err.split())
    assert f"--scheduler {cluster.scheduler.address} --resume" in err
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert any(task["status"] == "pending" for task in manifest["tasks"])
    assert cli.main([*args, "--resume"]) == 0, capsys.readouterr().err
    same_tables(open_results(folder), serial)


def test_a_missing_scheduler_file_is_named_at_once(tmp_path):
    missing = tmp_path / "scheduler.json"
    started = time.monotonic()
    with pytest.raises(ClusterError, match=rf"^no scheduler file {missing} \(the file"):
        with DaskExecutor(str(missing)):
            pass
    assert time.monotonic() - started < 5  # not after a connection timeout


def test_workers_with_other_code_are_refused_by_name(cluster, shipped, tmp_path, monkeypatch):
    # this process pretends to run other code than the workers
    other = {**identity(), "code": "0" * 64}
    monkeypatch.setattr(dask_executor, "identity", lambda model=None: other)
    with pytest.raises(ClusterError, match=r"other code or package versions") as refused:
        run_experiment(shipped, out=tmp_path, scheduler=cluster.scheduler.address,
                       progress=False)  # fmt: skip
    for worker in cluster.nthreads():
        assert f"{worker}: code " in str(refused.value)
    assert "(here 0000" in str(refused.value)
    assert not (tmp_path / shipped.name).exists()  # nothing written


def test_a_worker_that_joins_with_other_code_fails_its_tasks_by_name(cluster):
    with DaskExecutor(cluster.scheduler.address) as pool:
        pool.expected = {
            **pool.expected,
            "code": "0" * 64,
        }  # as if the code changed since the check
        outcomes = list(pool.imap_unordered(abs, [-1, -2]))
    assert [result for _, result, _ in outcomes] == [None, None]
    for _, _, error in outcomes:
        assert error.startswith("WorkerMismatchError: a Dask worker runs other code")
        assert any(f"{worker}: code " in error for worker in cluster.nthreads())


def test_a_task_runs_only_where_the_identity_matches():
    assert run_checked(abs, -3, identity()) == 3
    with pytest.raises(WorkerMismatchError, match=r"this process: numpy \S+ \(here 0\.0\)"):
        run_checked(abs, -3, {**identity(), "numpy": "0.0"})


def test_mismatches_name_each_differing_worker_and_what_differs():
    here = {"alliance-sim": "0.2.0", "numpy": "2.1.0", "code": "abc"}
    found = {
        "tcp://10.1.1.1:1": dict(here),
        "tcp://10.1.1.2:1": {**here, "alliance-sim": "0.1.0"},
        "tcp://10.1.1.3:1": {"alliance-sim": "0.2.0", "code": "def"},
    }
    assert mismatches(here, found).splitlines() == [
        "  tcp://10.1.1.2:1: alliance-sim 0.1.0 (here 0.2.0)",
        "  tcp://10.1.1.3:1: numpy missing (here 2.1.0), code def (here abc)",
    ]
    assert mismatches(here, {"tcp://10.1.1.1:1": dict(here)}) == ""


def test_without_dask_the_message_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    code = cli.main(["run", str(SHIPPED), "--out", str(tmp_path), "--executor", "dask"])
    assert code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert 'pip install "alliance-sim[distributed]"' in err
    assert not any(tmp_path.iterdir())  # nothing written


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(dask_executor, "CONNECT_SECONDS", 0.5)
    with pytest.raises(ClusterError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0"
                       r"\.1:9.*check --scheduler"):  # fmt: skip
        run_experiment(SHIPPED, out=tmp_path, scheduler="tcp://127.0.0.1:9", progress=False)
    assert not any(tmp_path.iterdir())


def test_flags_that_do_not_go_with_a_scheduler_are_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"scheduler: expected no scheduler with the processes"):
        run_experiment(SHIPPED, out=tmp_path, executor="processes", scheduler="tcp://127.0.0.1:9")
    with pytest.raises(ConfigError, match=r"workers: expected no --workers with a scheduler"):
        run_experiment(SHIPPED, out=tmp_path, workers=2, scheduler="tcp://127.0.0.1:9")
    with pytest.raises(RuntimeError, match=r"use it in a `with` block"):
        next(DaskExecutor(None).imap_unordered(abs, [1]))


def test_a_sweep_on_dask_gives_the_serial_tables(cluster, tmp_path):
    sweep = load_experiment(ROOT / "experiments" / "sweep_russia_nato.yaml", replications=2)
    reference = run_experiment(sweep, out=tmp_path / "s", executor="serial", progress=False)
    on_dask = run_experiment(sweep, out=tmp_path / "d", scheduler=cluster.scheduler.address,
                             chunk_size=24, progress=False)  # fmt: skip
    assert on_dask.runs["design_id"].nunique() == 36
    same_tables(on_dask, reference)
    for name in ("design.parquet", "design_summary.csv"):
        assert (on_dask.path / name).read_bytes() == (reference.path / name).read_bytes()


def test_local_workers_run_without_the_malloc_setting_that_halves_their_speed(cluster):
    assert set(cluster.run(dask_executor.worker_trim).values()) == {None}
    assert os.environ.get(dask_executor.TRIM) is None  # nor does the nanny leave it here


def test_workers_with_the_slow_malloc_setting_are_named_in_a_warning():
    found = {"tcp://10.1.1.1:1": None, "tcp://10.1.1.2:1": "65536"}
    warning = dask_executor.slow_workers(found)
    assert warning.startswith("1 of 2 Dask workers run with MALLOC_TRIM_THRESHOLD_ set "
                              "(tcp://10.1.1.2:1)")  # fmt: skip
    assert "MALLOC_TRIM_THRESHOLD_: null" in warning
    assert dask_executor.slow_workers({"tcp://10.1.1.1:1": None}) == ""


def test_workers_are_checked_against_the_code_hash_that_resumes_check():
    assert identity()["code"] == code_hash()["sha256"]
    assert "sim/experiment/chunks.py" in code_hash()["files"]  # runs on the workers, makes rows
    generic = identity("tests.experiment.test_dask_executor:Anything")
    assert generic["code"] == code_hash("tests.experiment.test_dask_executor:Anything")["sha256"]
    assert generic["code"] != identity()["code"]


# --- TLS -----------------------------------------------------------------------------------------


@pytest.fixture
def tls_files(tmp_path, monkeypatch):
    """A self-signed certificate and key (Dask's ``Security.temporary``) in files, given to
    this process's Dask client through the documented environment variables."""
    pytest.importorskip("cryptography")
    security = distributed.Security.temporary()
    files = {"ca.pem": security.tls_ca_file, "cert.pem": security.tls_client_cert,
             "key.pem": security.tls_client_key}  # fmt: skip
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    for name, file in (("CA_FILE", "ca.pem"), ("CLIENT__CERT", "cert.pem"),
                       ("CLIENT__KEY", "key.pem")):  # fmt: skip
        monkeypatch.setenv(f"DASK_DISTRIBUTED__COMM__TLS__{name}", str(tmp_path / file))
    dask.config.refresh()
    yield security
    monkeypatch.undo()
    dask.config.refresh()


def test_a_tls_scheduler_runs_with_the_certificates_of_the_dask_configuration(
    tls_files, shipped, serial, tmp_path
):
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tls",
        security=tls_files,
        host="127.0.0.1",
        dashboard_address=None,
    ) as tls:  # a worker thread: quick
        address = tls.scheduler_address
        assert address.startswith("tls://127.0.0.1:")
        on_tls = run_experiment(shipped, out=tmp_path / "tls", scheduler=address, chunk_size=12,
                                progress=False)  # fmt: skip
        same_tables(on_tls, serial)
        dask.config.set({"distributed.comm.tls.client.cert": None})
        with pytest.raises(ClusterError, match=r"at tls://127\.0\.0\.1:\d+ uses TLS, and Dask's "
                           r"configuration gives this client no client certificate: set DASK_"
                           r"DISTRIBUTED__COMM__TLS__CLIENT__CERT \(and "):  # fmt: skip
            run_experiment(shipped, out=tmp_path / "none", scheduler=address, progress=False)


def test_connecting_to_workers_with_the_slow_malloc_setting_warns(monkeypatch):
    monkeypatch.setenv(dask_executor.TRIM, "65536")  # as `dask worker` sets it
    with (  # a worker thread in this process: it sees this environment
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=None,
        ) as here,
        pytest.warns(
            dask_executor.SlowWorkersWarning,
            match=r"1 of 1 Dask workers run with "
            r"MALLOC_TRIM_THRESHOLD_ set \(tcp://127\.0\.0\.1:\d+\)",
        ),
        DaskExecutor(here.scheduler_address) as pool,
    ):
        assert pool.workers == 1
