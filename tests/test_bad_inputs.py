"""The corpus of bad input files (tests/bad_inputs/): one file per kind of mistake.

Each file says in its first lines what is wrong and which field the error must name
(``# expect: ...``). Scenarios go through ``alliance-sim validate``, experiments through
``alliance-sim run``; every one must exit 2 with one message naming the file and the field, no
traceback, within a second of reading, and write nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
FILES = sorted((CORPUS / "scenarios").glob("*.yaml")) + sorted(
    (CORPUS / "experiments").glob("*.yaml")
)


def expectation(path: Path) -> str:
    """The ``# expect:`` line of a corpus file (the field or words the error must contain)."""
    head = path.read_bytes()[:300].decode("utf-8", errors="replace")
    found = re.search(r"^# expect: (.+)$", head, re.M)
    assert found, f"{path.name} lacks an '# expect:' line"
    return found.group(1).strip()


def test_the_corpus_has_at_least_thirty_kinds():
    assert len(FILES) >= 30
    assert (CORPUS / "valid" / "tiny.yaml").is_file()


def test_the_valid_base_of_the_corpus_is_valid(capsys):
    assert main(["validate", str(CORPUS / "valid" / "tiny.yaml")]) == 0


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_bad_file_gets_exit_2_naming_file_and_field(path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "results"
    if path.parent.name == "scenarios":
        code = main(["validate", str(path)])
    else:
        code = main(["run", str(path), "--out", str(out), "--executor", "serial"])
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())  # the console may wrap a long line
    assert code == 2, captured.out + captured.err
    assert "Traceback" not in captured.err + captured.out
    assert err.startswith("error: ") and err.count("error: ") == 1
    assert path.name in err
    assert expectation(path) in err
    assert not out.exists() and not any(tmp_path.iterdir())  # nothing written
