"""The validate and simulate commands, run in-process through ``sim.cli.main``."""

from __future__ import annotations

import re

import pytest

from sim.cli import main
from sim.scenario.shipped import ROOT, default_scenario_path

SCENARIO = str(default_scenario_path())


def test_validate_reports_what_the_scenario_holds(capsys):
    assert main(["validate", SCENARIO]) == 0
    out = capsys.readouterr().out
    assert "valid scenario" in out
    assert "Serbia" in out and "2.31" in out
    assert "12 countries" in out and "tirana" in out


def test_validate_utilities_prints_each_outsiders_terms(capsys):
    assert main(["validate", SCENARIO, "--utilities"]) == 0
    out = capsys.readouterr().out
    assert "Utility of joining (U1) as of 2025-04" in out
    row = re.search(r"BGR\s+.\s+tirana\s+.\s+([+-]\d\.\d\d)\s+.\s+([+-]\d\.\d\d)\s+.\s+"
                    r"([+-]\d\.\d\d)\s+.\s+\+0\.80\s+.\s+([+-]\d\.\d\d)", out)  # fmt: skip
    assert row, out
    frustration, security, endorsement, utility = (float(x) for x in row.groups())
    assert frustration + security + endorsement - 0.80 == pytest.approx(utility, abs=0.015)


def test_simulate_prints_a_dated_timeline_and_the_outcome(capsys):
    assert main(["simulate", SCENARIO, "--seed", "3", "--months", "60"]) == 0
    out = capsys.readouterr().out
    assert "seed 3, 2025-03 to 2030-02" in out
    assert re.search(r"^\s+2025-03\s+Declaration signed in Tirana", out, re.M)
    assert "Outcome:" in out and "peak tension SRB-XKX" in out


def test_simulate_names_every_other_bloc_in_the_outcome(capsys, tmp_path):
    path = tmp_path / "two_blocs.yaml"
    path.write_text(
        f"extends: {SCENARIO}\nname: two_blocs\nevents:\n"
        "  - {month: 2, type: form_bloc, name: east, members: [SRB, HUN],\n"
        "     eligibility: -1.0, integration: {stage: security_mechanism}}\n"
    )
    assert main(["simulate", str(path), "--seed", "3", "--months", "12"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^\s+2025-05\s+Serbia joins east", out, re.M)
    assert re.search(r"; east: SRB,HUN\S* \(security mechanism\)", out)


def test_simulate_is_replayed_by_its_seed(capsys):
    main(["simulate", SCENARIO, "--seed", "11"])
    first = capsys.readouterr().out
    main(["simulate", SCENARIO, "--seed", "11"])
    assert capsys.readouterr().out == first
    main(["simulate", SCENARIO, "--seed", "12"])
    assert capsys.readouterr().out != first


def test_simulate_with_an_override_changes_the_world(capsys):
    scenario = str(ROOT / "scenarios" / "serbia_hungary_counter_bloc.yaml")
    assert main(["simulate", scenario, "--seed", "5", "--set", "dynamics.crisis.rate=0"]) == 0
    out = capsys.readouterr().out
    assert "crises: 0" in out
    assert "Serbia joins belgrade_budapest" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "nowhere.yaml"], r"nowhere\.yaml: no such file"),
        (
            ["simulate", SCENARIO, "--set", "patrons.west.endorsment=0.3"],
            r"patrons\.west\.endorsment: expected an existing numeric parameter path",
        ),
        (
            ["simulate", SCENARIO, "--set", "patrons.west.endorsement"],
            r"--set: expected PATH=NUMBER",
        ),
        (
            ["simulate", SCENARIO, "--set", "patrons.west.endorsement=2"],
            r"patrons\.west\.endorsement: expected a number ≤ 1, found 2.0",
        ),
    ],
)
def test_user_mistakes_give_one_clear_message_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert re.search(message, captured.err.replace("\n", " "))
    assert "Traceback" not in captured.err + captured.out


def test_malformed_yaml_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncountries: [\n")
    assert main(["validate", str(path)]) == 2
    assert "well-formed YAML" in capsys.readouterr().err


def test_help_teaches_the_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("validate", "simulate", "run", "summarize", "landscape"):
        assert command in out
    assert main(["simulate", "--help"]) == 0
    assert "--set" in capsys.readouterr().out


def test_usage_errors_exit_non_zero(capsys):
    assert main(["simulate"]) == 2
    assert main(["--bogus"]) == 2


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400"])
def test_a_non_finite_set_flag_is_refused_naming_the_path(capsys, value):
    code = main(["simulate", SCENARIO, "--set", f"dynamics.tension.reaction={value}"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"--set dynamics.tension.reaction: expected a finite number, found '{value}'" in err


def test_text_from_a_file_reaches_the_terminal_literally(tmp_path, capsys):
    text = default_scenario_path().read_text()
    text = text.replace("name: Serbia,", 'name: "Serbia [/b]",').replace(
        "Shkoder, announce first trilateral exercise", "Shkoder [source: BIRN]"
    )
    assert "[/b]" in text and "[source: BIRN]" in text
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    (tmp_path / "data").symlink_to(default_scenario_path().parent / "data")
    assert main(["validate", str(path)]) == 0
    assert "Serbia [/b]" in capsys.readouterr().out
    assert main(["simulate", str(path), "--months", "12"]) == 0
    assert "Shkoder [source: BIRN]" in capsys.readouterr().out


def test_markup_in_a_found_value_is_shown_literally_in_the_error(tmp_path, capsys):
    path = tmp_path / "scenario.yaml"
    path.write_text(
        default_scenario_path().read_text().replace("capability: 2.31", 'capability: "[red]x[/]"')
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "countries.SRB.capability: expected a number, found '[red]x[/]'" in err
    assert "Traceback" not in err


def test_help_lists_every_command_in_pipeline_order(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    names = ["validate", "simulate", "patterns", "landscape", "run", "sensitivity", "discover",
             "summarize", "plot", "report", "examples", "init"]  # fmt: skip
    found = re.findall(r"^│ (\w+) ", out, re.M)
    assert found == names
