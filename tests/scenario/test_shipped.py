"""Finding the shipped files by name, where they live once installed, and copying them."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from sim.errors import AllianceSimError, InputFileNotFoundError
from sim.experiment.spec import load_experiment
from sim.scenario import shipped
from sim.scenario.loading import load_scenario
from sim.scenario.shipped import (
    ROOT,
    DestinationExistsError,
    DestinationWriteError,
    ShippedNameError,
    copy_shipped,
    find_shipped,
    resolve_input,
    shipped_files,
)

CHECKOUT = Path(__file__).resolve().parents[2]


def test_in_a_checkout_the_shipped_files_are_the_top_level_folders():
    assert ROOT == CHECKOUT
    assert find_shipped("western_balkans_2025", "scenario") == (
        CHECKOUT / "scenarios" / "western_balkans_2025.yaml"
    )


def test_an_installed_package_finds_them_in_its_own_shipped_folder(tmp_path, monkeypatch):
    (tmp_path / "_shipped" / "scenarios").mkdir(parents=True)
    monkeypatch.setattr(shipped, "files", lambda package: tmp_path)
    assert shipped.shipped_root() == tmp_path / "_shipped"


def test_every_shipped_file_is_listed_with_its_kind_and_one_sentence():
    entries = shipped_files()
    on_disk = {p.stem for f in ("scenarios", "experiments") for p in (ROOT / f).glob("*.yaml")}
    assert {entry.name for entry in entries} == on_disk
    kinds = {entry.name: entry.kind for entry in entries}
    assert kinds["western_balkans_2025"] == "scenario"
    assert kinds["bulgaria_question"] == "experiment"
    for entry in entries:
        assert entry.summary and entry.summary[-1] in ".?", entry
        assert "#" not in entry.summary and "\n" not in entry.summary


def test_the_summary_is_the_first_sentence_of_the_opening_comment(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("# Does it work? It should,\n# across lines. Yes.\nname: x\n# not this\n")
    assert shipped.one_line_summary(path) == "Does it work?"
    path.write_text("# One sentence\n# over two lines.\nname: x\n")
    assert shipped.one_line_summary(path) == "One sentence over two lines."


@pytest.mark.parametrize("text", ["bulgaria_question", "bulgaria_question.yaml"])
def test_a_bare_name_means_the_shipped_file(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_input(text, "experiment") == ROOT / "experiments" / "bulgaria_question.yaml"


def test_an_existing_path_is_taken_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bulgaria_question.yaml").write_text("name: mine\n")
    assert resolve_input("bulgaria_question.yaml", "experiment") == Path("bulgaria_question.yaml")
    assert resolve_input("sub/missing.yaml", "experiment") == Path("sub/missing.yaml")
    assert resolve_input("notes.txt", "scenario") == Path("notes.txt")  # the loader reports it


def test_an_unknown_name_lists_the_shipped_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    listed = r"experiment of that name \(shipped: baseline_outlook, .*nato_stance"
    with pytest.raises(ShippedNameError, match=r"bulgaria_questin: no such file, and no shipped "
                       + listed):  # fmt: skip
        resolve_input("bulgaria_questin", "experiment")
    with pytest.raises(InputFileNotFoundError, match=r"western_balkans_2025"):  # other kind
        resolve_input("bulgaria_question_x", "scenario")


def test_a_copy_keeps_the_layout_so_experiments_find_their_scenarios(tmp_path):
    written = copy_shipped(tmp_path / "work")
    expected = {p.relative_to(ROOT) for f in ("scenarios", "experiments")
                for p in (ROOT / f).rglob("*") if p.is_file()}  # fmt: skip
    assert {p.relative_to(tmp_path / "work") for p in written} == expected
    assert Path("scenarios/data/SOURCES.md") in expected  # the data travel with their sources
    experiment = load_experiment(tmp_path / "work" / "experiments" / "bulgaria_question.yaml")
    assert (
        Path(experiment.scenario)
        == (tmp_path / "work" / "scenarios" / "western_balkans_2025.yaml").resolve()
    )
    assert load_scenario(tmp_path / "work" / "scenarios" / "nato_endorses.yaml").name


def test_a_copy_over_existing_files_is_refused_whole_unless_forced(tmp_path):
    target = tmp_path / "work" / "experiments" / "nato_stance.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("name: edited\n")
    with pytest.raises(DestinationExistsError,
                       match=r"1 of the \d+ files to copy exist already \(.*nato_stance\.yaml\); "
                       r"nothing copied\. .*--force"):  # fmt: skip
        copy_shipped(tmp_path / "work")
    assert sorted(p.name for p in (tmp_path / "work").rglob("*")) == [
        "experiments", "nato_stance.yaml"]  # fmt: skip
    assert target.read_text() == "name: edited\n"
    copy_shipped(tmp_path / "work", force=True)
    assert target.read_bytes() == (ROOT / "experiments" / "nato_stance.yaml").read_bytes()


def test_a_destination_that_cannot_hold_folders_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(DestinationWriteError, match=r"a_file: cannot copy the shipped files"):
        copy_shipped(blocker)
    assert issubclass(DestinationWriteError, AllianceSimError)


def test_a_copy_that_fails_part_way_leaves_no_file_behind(tmp_path, monkeypatch):
    copied = []

    def copy_until_full(source, target):
        if len(copied) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        copied.append(target)
        Path(target).write_bytes(Path(source).read_bytes())

    monkeypatch.setattr(shipped.shutil, "copyfile", copy_until_full)
    with pytest.raises(DestinationWriteError, match=r"work: cannot copy the shipped files there "
                       r"\(No space left on device\); nothing copied"):  # fmt: skip
        copy_shipped(tmp_path / "work")
    assert len(copied) == 3
    assert not [p for p in (tmp_path / "work").rglob("*") if p.is_file()]
