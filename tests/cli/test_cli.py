"""The command line: verbs, output formats, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import tunestats
from tunestats.cli.main import main


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tunestats {tunestats.__version__}"


def test_info_prints_one_row_per_pool(study_dir: Path, capsys) -> None:
    assert main(["info", str(study_dir)]) == 0
    out = capsys.readouterr().out
    assert "4 trials, 1 pools" in out
    # the table fits 100 columns (abbreviated column names, explained under it): one line
    # per pool, which ends in the pool's tuned parameters
    assert all(len(line) <= 100 for line in out.splitlines())
    row = [line for line in out.splitlines() if line.strip().startswith("w ")]
    assert len(row) == 1 and row[0].endswith("learning_rate, momentum")
    assert "n = trials" in out and "ok = completed" in out


def test_info_json_and_csv_output(study_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["info", str(study_dir), "--json", "--out", str(tmp_path / "i.csv")]) == 0
    payload = json.loads(capsys.readouterr().out)
    study = tunestats.load_study(study_dir)
    expected_best = study.trials["final.valid_error"].min()
    assert payload["pools"][0]["best valid_error"] == pytest.approx(expected_best)
    frame = pd.read_csv(tmp_path / "i.csv")
    assert frame.loc[0, "completed"] == 4 and frame.loc[0, "diverged"] == 0


def test_convert_round_trip(study_dir: Path, tmp_path: Path) -> None:
    assert main(["convert", str(study_dir), str(tmp_path / "csv"), "--to", "csv"]) == 0
    assert main(["convert", str(tmp_path / "csv"), str(tmp_path / "jsonl"), "--to", "jsonl"]) == 0
    assert main(["convert", str(tmp_path / "jsonl"), str(tmp_path / "pq")]) == 0
    a, b = tunestats.load_study(study_dir), tunestats.load_study(tmp_path / "pq")
    pd.testing.assert_frame_equal(a.trials, b.trials)
    pd.testing.assert_frame_equal(a.curves, b.curves)


def test_validate_valid_study(study_dir: Path, capsys) -> None:
    assert main(["validate", str(study_dir)]) == 0
    assert "valid (4 trials, 1 pools, 0 warning(s))" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["info"], ["frobnicate"], ["convert", "a"],
                                  ["convert", "a", "b", "--to", "xml"], []])
def test_usage_errors_exit_2_with_one_line(argv, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err


def test_bad_output_suffix_is_a_usage_error(study_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["info", str(study_dir), "--out", str(tmp_path / "x.txt")]) == 2
    assert "`--out` must name a .csv or .json file" in capsys.readouterr().err


def test_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "tunestats", "info", str(tmp_path / "x")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("tunestats: error:")
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    debug = subprocess.run([sys.executable, "-m", "tunestats", "--debug", "info",
                            str(tmp_path / "x")], capture_output=True, text=True, check=False)
    assert "Traceback" in debug.stderr
