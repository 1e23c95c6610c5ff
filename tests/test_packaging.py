"""The wheel carries the shipped files, and a package installed from it finds them by name.

Builds the wheel with pip and the test environment's hatchling (no download), unpacks it and
runs the CLI from that copy in an empty folder, the layout of a normal install. (.ci/run also
installs the wheel in a fresh environment with its dependencies.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sim.scenario.shipped import ROOT

pytest.importorskip("hatchling", reason="the test extra's hatchling builds the wheel offline")
CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
             "--no-build-isolation", str(CHECKOUT), "-w", str(out)]  # fmt: skip
    subprocess.run(build, check=True, capture_output=True)
    (path,) = out.glob("alliance_sim-*.whl")
    return path


def test_the_wheel_lists_every_shipped_file_under_sim_shipped(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    folders = [ROOT / "scenarios", ROOT / "experiments"]
    shipped = [p for folder in folders for p in folder.rglob("*") if p.is_file()]
    assert len(shipped) >= 23  # the shipped scenarios, experiments and data files
    for path in shipped:
        assert f"sim/_shipped/{path.relative_to(ROOT).as_posix()}" in names
    assert "sim/report/templates/report.html.j2" in names
    assert "sim/cli/__init__.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "alliance-sim = sim.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not any(n.startswith(("tests/", "bench/", "scenarios/")) for n in names)


def test_the_installed_layout_runs_shipped_files_by_name(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    (tmp_path / "empty").mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}  # ahead of the checkout's editable install
    script = (
        "import sys; from sim.scenario.shipped import ROOT; print(ROOT); "
        "from sim.cli import main; "
        "sys.exit(main(['simulate', 'western_balkans_2025', '--months', '6']) or "
        "main(['run', 'bulgaria_question', '--replications', '2', '--dry-run']))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path / "empty", env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    root, _, rest = done.stdout.partition("\n")
    assert Path(root) == site / "sim" / "_shipped"
    assert "Outcome:" in rest and "dry run: nothing written" in rest
