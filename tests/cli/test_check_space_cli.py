"""``tunestats check-space``: the verdict table and the exit codes 0, 1 and 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tunestats import load_study
from tunestats.analysis import check_space
from tunestats.cli.main import main
from tunestats.synthetic import Bowl, synthetic_study

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "study"
POOL = ("quadratic", "paper", "sgd")


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studies")
    synthetic_study(optimizers=["sgd"], bowls={POOL: Bowl(optimum=1e-2)}, seed=0).save(
        folder / "interior")
    synthetic_study(optimizers=["sgd"], bowls={POOL: Bowl(optimum=3.0)}, seed=0).save(
        folder / "open")
    return folder


def test_bundled_study_prints_the_verdict_table(capsys):
    code = main(["check-space", str(BUNDLED)])
    out = capsys.readouterr().out
    expected = check_space(load_study(BUNDLED), seed=0)
    assert code == (0 if expected.adequate else 1)
    assert "== boundaries ==" in out and "== budgets ==" in out and "== reasons ==" in out
    assert "learning_rate" in out and "interior" in out
    # the verdict comes first (issue 13: it was line 231 of 231)
    assert out.splitlines()[0] == ("verdict: adequate" if expected.adequate else
                                   f"verdict: NOT adequate ({len(expected.reasons)} reasons)")


def test_adequate_study_exits_0(studies, capsys):
    assert main(["check-space", str(studies / "interior"), "--tolerance", "0.5"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "verdict: adequate"


def test_open_edge_exits_1_and_says_why_in_json(studies, capsys, tmp_path):
    out_file = tmp_path / "verdict.json"
    code = main(["check-space", str(studies / "open"), "--tolerance", "0.5", "--json",
                 "--out", str(out_file)])
    assert code == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["adequate"] is False and payload["metric"] == "valid_error"
    assert [r["side"] for r in payload["reasons"]] == ["high"]
    high = next(row for row in payload["boundaries"] if row["side"] == "high")
    assert high["edge_kind"] == "open edge" and high["proposed_high"] == 10.0
    assert json.loads(out_file.read_text()) == payload


@pytest.mark.parametrize("options", [["--edge", "0.7"], ["--top-q", "0"], ["--alpha", "1"],
                                     ["--param", "momentum"], ["--metric", "loss"],
                                     ["--edge", "wide"]])
def test_usage_errors_exit_2(studies, options, capsys):
    try:
        code = main(["check-space", str(studies / "interior"), *options])
    except SystemExit as exc:  # argparse refuses the value itself
        code = exc.code
    assert code == 2
    assert "error:" in capsys.readouterr().err
