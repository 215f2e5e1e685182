"""``tunestats best-of-k``: a readable table, full JSON/CSV output, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import tunestats
from tunestats.cli.main import main

ARGS = ["--select", "valid_error", "--report", "train_loss"]


def test_prints_what_the_numbers_are_and_one_row_per_budget(study_dir: Path, capsys) -> None:
    assert main(["best-of-k", str(study_dir), *ARGS, "--k", "1,2,4", "--no-replace"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("best of k trials per pool: selected by valid_error (minimize), "
                      "reporting train_loss (minimize)")
    assert "without replacement (Tang et al. 2020)" in out[1]
    assert out[2] == "q columns: 5th–95th percentile, spread of best-of-k outcomes"
    assert out[3].startswith("ci_low..ci_high: pointwise 90% confidence in the population mean")
    # the table wraps at 100 columns: blocks of columns separated by a blank line, each
    # block's header first (a trailing backslash where the table continues)
    blocks = "\n".join(out[4:]).split("\n\n")
    assert all(len(line) <= 100 for line in out[4:])
    header = [name for block in blocks for name in block.splitlines()[0].split() if name != "\\"]
    assert header == ["workload", "protocol", "optimizer", "k", "mean", "q05", "q50",
                      "q95", "ci_low", "ci_high", "q50_ci_low", "q50_ci_high",
                      "q50_sim_low", "q50_sim_high", "n_trials", "n_diverged"]
    assert [line.split()[3] for line in blocks[0].splitlines()[1:]] == ["1", "2", "4"]


def test_confidence_0_prints_no_band_columns(study_dir: Path, capsys) -> None:
    assert main(["best-of-k", str(study_dir), *ARGS, "--k", "1,2", "--confidence", "0"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert not any(line.startswith("ci_low..ci_high") for line in out)
    header = [name for line in out[3:] for name in line.split()]
    assert "mean" in header and "q95" in header
    assert not {"ci_low", "q50_ci_low", "q50_sim_low"} & set(header)


def test_json_and_csv_hold_the_full_frame(study_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "b.csv"
    assert main(["best-of-k", str(study_dir), *ARGS, "--method", "bootstrap", "--resamples",
                 "500", "--seed", "3", "--json", "--out", str(out)]) == 0
    payload = json.loads(capsys.readouterr().out)["best_of_k"]
    expected = tunestats.best_of_k(tunestats.load_study(study_dir), select="valid_error",
                                   report="train_loss",
                                   method="bootstrap", n_resamples=500, seed=3)
    assert [row["mean"] for row in payload] == pytest.approx(expected["mean"].tolist())
    written = pd.read_csv(out)
    assert written.columns.tolist() == expected.columns.tolist()
    assert written["q50"].tolist() == pytest.approx(expected["q50"].tolist())


@pytest.mark.parametrize(("argv", "message"), [
    (["--k", "0"], "tunestats: error: `--k` must be a positive integer; got 0."),
    (["--k", "2.5"], "tunestats: error: `--k` must be a positive integer; got 2.5."),
    (["--k", "5", "--no-replace"],
     "tunestats: error: pool w/paper/sgd: `--k` must be a positive integer ≤ the pool size (4); "
     "got 5."),
    (["--select", "valid_loss"], "tunestats: error: unknown metric 'valid_loss': the study "
                                 "declares train_loss, valid_error."),
])
def test_bad_input_exits_2_with_one_line(study_dir: Path, argv, message, capsys) -> None:
    assert main(["best-of-k", str(study_dir), "--report", "train_loss", *argv]) == 2
    assert capsys.readouterr().err == message + "\n"


def test_unparsable_budget_is_a_usage_error(study_dir: Path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["best-of-k", str(study_dir), "--k", "one"])
    assert info.value.code == 2
    assert "expected comma-separated numbers" in capsys.readouterr().err
