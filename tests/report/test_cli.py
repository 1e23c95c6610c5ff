"""The plot and report commands, run in-process through ``sim.cli.main``."""

from __future__ import annotations

from sim.cli import main


def test_plot_writes_the_figures_asked_for_and_says_why_others_are_not(results_folder, capsys):
    code = main(["plot", str(results_folder), "--figure", "stages", "--figure", "prim", "--svg"])
    assert code == 0
    out = capsys.readouterr().out
    assert "stages.png" in out and "stages.svg" in out
    assert "prim: not drawn (no discovery.json" in out
    assert (results_folder / "figures" / "stages.svg").is_file()


def test_plot_refuses_an_unknown_figure(results_folder, capsys):
    assert main(["plot", str(results_folder), "--figure", "maps"]) == 2
    assert "figures: expected names from" in capsys.readouterr().err


def test_plot_of_a_folder_without_manifest_is_a_clear_error(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_report_writes_the_page_where_asked(results_folder, tmp_path, capsys):
    target = tmp_path / "page.html"
    assert main(["report", str(results_folder), "--out", str(target)]) == 0
    assert "Report in" in capsys.readouterr().out
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_run_draws_figures_unless_told_not_to(tmp_path, write_experiment, capsys):
    path = write_experiment(tmp_path, variants={}, series="none", replications=6, months=12,
                            years=[1], outputs={"figures": ["stages"]})  # fmt: skip
    assert main(["run", str(path), "--out", str(tmp_path / "a"), "--executor", "serial"]) == 0
    assert (tmp_path / "a" / "small_question" / "figures" / "stages.png").is_file()
    assert "figures/" in capsys.readouterr().out
    args = ["run", str(path), "--out", str(tmp_path / "b"), "--executor", "serial", "--no-plots"]
    assert main(args) == 0
    assert not (tmp_path / "b" / "small_question" / "figures").exists()
