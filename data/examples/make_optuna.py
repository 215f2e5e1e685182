"""Writes ``optuna.db``, the Optuna example of the README: a small real Optuna study (TPE
sampler, median pruner) tuning the learning rate and optimizer of a noisy quadratic.

Run: ``python data/examples/make_optuna.py`` (needs ``pip install 'tunestats[importers]'``).
"""

from pathlib import Path

import optuna

HERE = Path(__file__).resolve().parent


def objective(trial: optuna.Trial) -> float:
    lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
    optimizer = trial.suggest_categorical("optimizer", ["sgd", "adam"])
    error = 1.0
    for epoch in range(5):
        speed = lr * (3.0 if optimizer == "adam" else 1.0)
        error = max(0.02, error * (1 - min(speed, 0.9)) + (0.3 if speed > 0.9 else 0.0))
        trial.report(error, epoch)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return error


if __name__ == "__main__":
    path = HERE / "optuna.db"
    path.unlink(missing_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name="quadratic", storage=f"sqlite:///{path}",
                                sampler=optuna.samplers.TPESampler(seed=0),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=4))
    study.optimize(objective, n_trials=16)
    print(f"wrote {path}: {len(study.trials)} trials")
