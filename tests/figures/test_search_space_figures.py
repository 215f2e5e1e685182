"""The search-space figures through `tunestats figures`: one file per (workload, protocol)."""

from __future__ import annotations

from tunestats import Param
from tunestats.cli.main import main
from tunestats.figures import render_figures
from tunestats.synthetic import synthetic_study

NAMES = ["space-axes", "space-isolation", "space-pairs"]


def test_one_file_per_workload_and_protocol(tmp_path):
    study = synthetic_study(workloads=["w/1", "w2"], protocols=["paper"],
                            optimizers=["sgd", "adam"], n_trials=12,
                            params=[Param("epsilon", "log", 1e-8, 1.0)], seed=0)
    report = render_figures(study, tmp_path, names=NAMES)
    assert sorted(p.name for p in report.written) == sorted(
        f"{name}-{w}-paper.png" for name in NAMES for w in ("w_1", "w2"))
    assert report.skipped == {}
    assert all(p.stat().st_size > 0 for p in report.written)


def test_pairs_skipped_when_one_hyperparameter_is_tuned(tmp_path, capsys):
    study = synthetic_study(optimizers=["sgd"], n_trials=8, seed=0)
    study.save(tmp_path / "study")
    assert main(["figures", str(tmp_path / "study"), "--out", str(tmp_path / "figs"),
                 "--only", "space-pairs", "--only", "space-axes"]) == 0
    out = capsys.readouterr().out
    assert "skipped space-pairs: no pool tunes two numeric hyperparameters" in out
    assert (tmp_path / "figs" / "space-axes-quadratic-paper.png").exists()
