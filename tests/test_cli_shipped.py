"""The shipped files from the command line: by name, ``examples`` and ``init``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario.shipped import ROOT


@pytest.fixture(autouse=True)
def elsewhere(tmp_path, monkeypatch):
    """Every command runs from an empty folder, as after a normal install."""
    monkeypatch.chdir(tmp_path)


def test_examples_lists_every_shipped_file_with_its_kind_and_purpose(capsys):
    assert main(["examples"]) == 0
    out = capsys.readouterr().out
    for path in [*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("experiments/*.yaml")]:
        assert path.stem in out
    assert "scenario" in out and "experiment" in out
    assert "Bulgaria change the pact's" in out  # bulgaria_question's first sentence
    assert str(ROOT) in out.replace("\n", "")


def test_scenario_commands_take_a_shipped_name(capsys):
    assert main(["validate", "western_balkans_2025"]) == 0
    assert "valid scenario" in capsys.readouterr().out
    assert main(["simulate", "nato_endorses", "--months", "12", "--seed", "2"]) == 0
    assert "Outcome:" in capsys.readouterr().out


def test_run_takes_a_shipped_name(capsys):
    assert main(["run", "bulgaria_question", "--replications", "3", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "bulgaria_question: 3 variant(s) × 3 replications" in out
    assert "dry run: nothing written" in out


def test_an_unknown_name_is_exit_2_listing_the_shipped_ones(capsys):
    assert main(["run", "bulgaria_questin"]) == 2
    err = capsys.readouterr().err
    assert "bulgaria_questin: no such file, and no shipped experiment" in err
    assert "nato_stance" in err and "Traceback" not in err
    assert not Path("results").exists()


def shipped_counts() -> tuple[int, int, int, int]:
    """Scenarios, experiments, data files and all files shipped, counted on disk."""
    scenarios = len(list(ROOT.glob("scenarios/*.yaml")))
    experiments = len(list(ROOT.glob("experiments/*.yaml")))
    data = len([p for p in ROOT.glob("scenarios/data/**/*") if p.is_file()])
    return scenarios, experiments, data, scenarios + experiments + data


def test_init_copies_them_and_the_copies_run_by_path(capsys):
    assert main(["init", "work"]) == 0
    out = capsys.readouterr().out
    scenarios, experiments, data, _ = shipped_counts()
    assert scenarios >= 6 and experiments >= 11 and data >= 6
    assert (
        f"Copied {scenarios} scenarios, {experiments} experiments and {data} data files into "
        "work" in out
    )
    edited = Path("work/experiments/bulgaria_question.yaml")
    edited.write_text(edited.read_text().replace("name: bulgaria_question", "name: mine"))
    assert main(["run", str(edited), "--replications", "2", "--executor", "serial",
                 "--no-plots"]) == 0  # fmt: skip
    assert Path("results/mine/summary.csv").is_file()


def test_init_refuses_to_overwrite_without_force(capsys):
    assert main(["init", "work"]) == 0
    mine = Path("work/scenarios/western_balkans_2025.yaml")
    mine.write_text("# my edits\n")
    capsys.readouterr()
    assert main(["init", "work"]) == 2
    err = capsys.readouterr().err
    total = shipped_counts()[-1]
    assert f"work: {total} of the {total} files to copy exist already" in err
    assert "nothing copied" in err and "--force" in err and "Traceback" not in err
    assert mine.read_text() == "# my edits\n"
    assert main(["init", "work", "--force"]) == 0
    assert mine.read_bytes() == (ROOT / "scenarios" / "western_balkans_2025.yaml").read_bytes()
