"""Every verb, with its defaults, on every study the importers write from real tool output.

Each verb exits 0, or 1/2 with one line saying why; never a traceback (an
exception escaping ``main``).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import optuna
import pandas as pd
import pytest

from tunestats.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
VERBS = ("info", "validate", "best-of-k", "compare", "steps-to-target", "profile",
         "check-space", "figures")
needs_wandb = pytest.mark.skipif(importlib.util.find_spec("wandb") is None,
                                 reason="needs the wandb extra")


def _optuna_storage(folder: Path) -> str:
    """A real storage with two studies of one problem (two optimizers)."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    url = f"sqlite:///{folder / 'two.db'}"
    for name, seed in (("sgd", 0), ("adam", 1)):
        study = optuna.create_study(study_name=name, direction="minimize", storage=url,
                                    sampler=optuna.samplers.RandomSampler(seed=seed))

        def objective(trial):
            lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
            value = 0.0
            for step in range(4):
                value = (lr - 0.01) ** 2 + 1.0 / (step + 1)
                trial.report(value, step)
            return value

        study.optimize(objective, n_trials=8)
    return url


def _opposite_storage(folder: Path) -> str:
    """Two studies of different problems: one objective minimised, one maximised."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    url = f"sqlite:///{folder / 'opposite.db'}"
    for name, direction in (("loss", "minimize"), ("score", "maximize")):
        study = optuna.create_study(study_name=name, direction=direction, storage=url,
                                    sampler=optuna.samplers.RandomSampler(seed=2))
        sign = 1.0 if direction == "minimize" else -1.0
        study.optimize(lambda t, sign=sign: sign * (t.suggest_float("lr", 1e-4, 1e-1, log=True)
                                                    - 0.01) ** 2, n_trials=6)
    return url


def _notebook(folder: Path) -> Path:
    rows = []
    for opt in ("sgd", "adam"):
        for name, lr in (("brisk-owl", 0.1), ("calm-fox", 0.01), ("dry-elk", 0.001)):
            for step in (0, 10, 20):
                for j, metric in enumerate(("train_loss", "val_loss")):
                    rows.append({"optimizer": opt, "run": f"{opt}-{name}", "lr": lr,
                                 "step": step, "time_s": step + 0.1 * j, "metric": metric,
                                 "value": lr + 1.0 / (step + 1) + j})
    path = folder / "notebook.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _algoperf(folder: Path) -> list[str]:
    """Real AlgoPerf v0.6 logs (one workload, both submissions, 3 studies × 5 trials) with the
    submissions' tuning_search_space.json (lists of joint points) next to them."""
    source = DATA / "algoperf_v06"
    logs = folder / "logs" / "external_tuning"
    for trial_dir in (source / "logs" / "external_tuning").glob("*/study_*/wmt_*"):
        shutil.copytree(trial_dir, logs / trial_dir.relative_to(source / "logs" /
                                                                "external_tuning"))
    shutil.copytree(source / "submissions", folder / "submissions")
    return ["algoperf", str(logs), "--targets", str(source / "workload_targets_v06.json")]


SOURCES = {
    "algoperf-v06-joint-points": _algoperf,
    "wandb-offline": lambda f: ["wandb", str(DATA / "wandb" / "offline" / "wandb"),
                                "--map", "optimizer=optimizer"],
    "wandb-export": lambda f: ["wandb", str(DATA / "wandb" / "export"),
                               "--map", "optimizer=optimizer"],
    "raytune-asha": lambda f: ["raytune", str(DATA / "raytune" / "asha"),
                               "--map", "optimizer=optimizer"],
    "optuna-two-studies": lambda f: ["optuna", _optuna_storage(f)],
    "optuna-opposite-directions": lambda f: ["optuna", _opposite_storage(f)],
    # the Crowded Valley tree that DeepOBS's own runners wrote (data/examples/make_deepobs.py)
    "crowded-valley": lambda f: ["deepobs", str(EXAMPLES / "deepobs")],
    "shallue": lambda f: ["shallue", str(EXAMPLES / "shallue")],
    "notebook": lambda f: ["generic", str(_notebook(f)), "--map", "trial=run",
                           "--map", "hp=lr"],
}


@pytest.fixture(scope="module", params=list(SOURCES))
def imported(request, tmp_path_factory):
    if request.param.startswith("wandb-offline") and importlib.util.find_spec("wandb") is None:
        pytest.skip("needs the wandb extra")
    folder = tmp_path_factory.mktemp(request.param)
    out = folder / "study"
    code = main(["import", *SOURCES[request.param](folder), "--out", str(out)])
    assert code == 0
    return out


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_answers_or_says_why(imported, verb, capsys, tmp_path):
    argv = [verb, str(imported)]
    if verb == "figures":
        argv += ["--out", str(tmp_path / "figures")]
    code = main(argv)
    captured = capsys.readouterr()
    err, out = captured.err.strip(), captured.out.strip()
    assert code in (0, 1, 2), err
    if "algoperf" in imported.parent.name:  # real logs, every verb answers
        assert code == 0, err
        if verb == "check-space":  # a finite list of points: no edges, the list exhausted
            assert "boundary check not applicable" in out.splitlines()[0], out
    if code == 1 and verb == "check-space" and not err:  # its answer: the space is inadequate
        assert out.splitlines()[0].startswith("verdict: NOT adequate"), out  # verdict first
    elif code:
        assert err and len(err.splitlines()) == 1, err


def test_info_on_a_pool_without_a_completed_trial(tmp_path, capsys):
    """W&B export where every adam run crashed: `info` gives the pool a NaN best."""
    configs = [{"optimizer": "sgd", "lr": 0.1}, {"optimizer": "sgd", "lr": 0.01},
               {"optimizer": "adam", "lr": 0.1}]
    pd.DataFrame({"summary": [{"val_loss": 0.5}, {"val_loss": 0.4}, {}],
                  "config": configs, "name": ["a", "b", "c"],
                  "state": ["finished", "finished", "crashed"]}).to_csv(tmp_path / "runs.csv")
    out = tmp_path / "study"
    assert main(["import", "wandb", str(tmp_path), "--map", "optimizer=optimizer",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    adam = next(line for line in lines if " adam " in f" {line} ")
    assert "NaN" in adam or "nan" in adam


def test_check_space_when_no_pool_has_three_completed_trials(tmp_path, capsys):
    pd.DataFrame({"summary": [{"val_loss": 0.5}, {"val_loss": 0.4}],
                  "config": [{"lr": 0.1}, {"lr": 0.01}], "name": ["a", "b"]}).to_csv(
        tmp_path / "runs.csv")
    out = tmp_path / "study"
    assert main(["import", "wandb", str(tmp_path), "--set", "optimizer=sgd",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["check-space", str(out)]) == 1
    text = capsys.readouterr().out
    assert "insufficient data: 2 completed trial(s)" in text
    assert text.splitlines()[0] == "verdict: NOT adequate (1 reason)"  # the verdict first
