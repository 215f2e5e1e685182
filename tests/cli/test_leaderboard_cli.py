"""``tunestats leaderboard``: the published v0.6 scores in one command."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tunestats.cli.main import main

DATA = Path(__file__).parents[1] / "data" / "algoperf_v06"
LOGS = DATA / "logs" / "external_tuning"
TARGETS = DATA / "workload_targets_v06.json"


def test_prints_the_published_leaderboard(capsys, tmp_path):
    figure = tmp_path / "profile.png"
    assert main(["leaderboard", str(LOGS), "--targets", str(TARGETS),
                 "--figure", str(figure)]) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"external_tuning\s+(\d)\s+(\w+)\s+([\d.]+)", out)
    assert rows == [("1", "shampoo", "0.6244"), ("2", "baseline", "0.4590")]
    assert "time to target" in out and "note: 4 trial(s) without evaluations" in out
    assert figure.stat().st_size > 10_000


def test_json_holds_scores_times_and_notes(capsys):
    assert main(["leaderboard", str(LOGS), "--targets", str(TARGETS), "--json",
                 "--integral", "exact"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["submission"] for r in doc["scores"]] == ["shampoo", "baseline"]
    assert doc["integral"] == "exact"
    assert len(doc["times"]) == 16 and doc["notes"]


def test_strict_mode_fails_in_one_line(capsys, tmp_path):
    code = main(["leaderboard", str(LOGS), "--targets", str(TARGETS), "--strict",
                 "--n-studies", "5"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "expected 5 studies, found 3" in err


def test_figure_is_never_overwritten_without_force(capsys, tmp_path):
    figure = tmp_path / "profile.png"
    figure.write_bytes(b"mine")
    args = ["leaderboard", str(LOGS), "--targets", str(TARGETS), "--figure", str(figure)]
    assert main(args) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert figure.read_bytes() == b"mine"
    assert main([*args[:-1], str(tmp_path / "sub" / "p.png")]) == 2
    assert not (tmp_path / "sub").exists()
    assert main([*args, "--force"]) == 0 and figure.stat().st_size > 10_000
