"""The CLI's way out on Ctrl-C and SIGTERM, in this process (the run tests send the signals to
CLI subprocesses, which coverage does not follow)."""

from __future__ import annotations

import os
import signal
import threading

import sim.cli as cli


def test_sigterm_during_a_command_is_an_interruption_and_the_handler_is_restored(
    monkeypatch, capsys
):
    before = signal.getsignal(signal.SIGTERM)

    def terminated(**_):  # a command that the system stops, as `kill` or a job scheduler does
        os.kill(os.getpid(), signal.SIGTERM)
        signal.pause()  # the handler raises before this returns

    monkeypatch.setattr(cli, "app", terminated)
    assert cli.main(["run", "anything"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"
    assert signal.getsignal(signal.SIGTERM) is before


def test_ctrl_c_in_a_command_returns_130(monkeypatch, capsys):
    def interrupted(**_):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "app", interrupted)
    assert cli.main(["run", "anything"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_outside_the_main_thread_sigterm_is_left_alone():
    found = []
    thread = threading.Thread(target=lambda: found.append(cli.install_sigterm_as_interrupt()))
    thread.start()
    thread.join()
    assert found == [None]  # signal handlers can only be set from the main thread


def test_python_dash_m_sim_cli_is_the_command(monkeypatch, capsys):
    """``python -m sim.cli --help`` runs the same CLI and exits with its status."""
    import runpy

    import pytest

    monkeypatch.setattr("sys.argv", ["alliance-sim", "--help"])
    with pytest.raises(SystemExit) as done:
        runpy.run_module("sim.cli", run_name="__main__")
    assert done.value.code == 0
    assert "Usage" in capsys.readouterr().out
