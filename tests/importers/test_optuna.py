import sys

import numpy as np
import pytest

optuna = pytest.importorskip("optuna")

from tunestats.errors import DataError, MissingDependencyError, StudyFileError  # noqa: E402
from tunestats.importers import import_report  # noqa: E402
from tunestats.importers import optuna as optuna_importer  # noqa: E402
from tunestats.space import Param  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)


def objective(trial):
    """Log, linear and categorical parameters; trial 3 fails, trials whose
    intermediate value is poor are pruned from step 2 on."""
    lr = trial.suggest_float("learning_rate", 1e-4, 1.0, log=True)
    momentum = trial.suggest_float("momentum", 0.0, 0.99)
    activation = trial.suggest_categorical("activation", ["relu", "tanh", "gelu"])
    if trial.number == 3:
        raise ValueError("out of memory")
    value = 0.0
    for step in range(5):
        value = (np.log10(lr) + 2) ** 2 + 0.1 * momentum + 1.0 / (step + 1)
        trial.report(value, step * 10)
        if step >= 2 and value > 0.9:
            raise optuna.TrialPruned()
    trial.set_user_attr("activation_family", activation[0])
    return value


@pytest.fixture
def study():
    s = optuna.create_study(study_name="momentum", direction="minimize",
                            sampler=optuna.samplers.RandomSampler(seed=3))
    s.optimize(objective, n_trials=16, catch=(ValueError,))
    return s


def test_space_statuses_and_curves(study):
    imported = optuna_importer.read(study, constants={"workload": "toy", "protocol": "paper"})
    space = imported.spaces[("paper", "momentum")]
    assert space["learning_rate"] == Param("learning_rate", "log", 1e-4, 1.0)
    assert space["momentum"] == Param("momentum", "linear", 0.0, 0.99)
    assert space["activation"].choices == ("relu", "tanh", "gelu")
    trials = imported.trials.set_index("trial")
    states = {t.number: t.state for t in study.trials}
    for number, state in states.items():
        expected = {"COMPLETE": "completed", "PRUNED": "failed", "FAIL": "failed"}[state.name]
        assert trials.loc[number, "status"] == expected
        assert trials.loc[number, "attr.state"] == state.name
    pruned = [n for n, s in states.items() if s.name == "PRUNED"]
    assert pruned and all("pruned" in trials.loc[n, "message"] for n in pruned)
    assert trials.loc[3, "message"] != ""
    for t in study.trials:
        curve = imported.curves[imported.curves["trial"] == t.number]
        assert curve["step"].tolist() == sorted(t.intermediate_values)
        assert curve["objective"].tolist() == [t.intermediate_values[s]
                                               for s in sorted(t.intermediate_values)]
        assert trials.loc[t.number, "hp.learning_rate"] == t.params["learning_rate"]
        if t.state.name == "COMPLETE":
            assert trials.loc[t.number, "final.objective"] == t.value
            assert trials.loc[t.number, "attr.activation_family"] == t.params["activation"][0]
    assert imported.metric("objective").direction == "minimize"
    assert "stated by the format" in import_report(imported).metrics["objective"]


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
def test_storage_url_and_metric_names(tmp_path):
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    for name, direction in (("sgd", "maximize"), ("adam", "maximize")):
        s = optuna.create_study(study_name=name, storage=url, direction=direction,
                                sampler=optuna.samplers.RandomSampler(seed=1))
        s.set_metric_names(["valid_accuracy"])
        s.optimize(lambda t: 1 - t.suggest_float("lr", 1e-3, 1e-1, log=True), n_trials=3)
    imported = optuna_importer.read(url)
    assert sorted(imported.trials["optimizer"].unique()) == ["adam", "sgd"]
    assert imported.metric("valid_accuracy").direction == "maximize"
    assert set(imported.spaces) == {("default", "adam"), ("default", "sgd")}
    one = optuna_importer.read(tmp_path / "studies.db", study_name="adam")
    assert set(one.trials["optimizer"]) == {"adam"}
    with pytest.raises(Exception, match="`study_name` 'rmsprop' is not in"):
        optuna_importer.read(url, study_name="rmsprop")
    with pytest.raises(StudyFileError, match="no such optuna database"):
        optuna_importer.read(tmp_path / "missing.db")


def test_optimizer_mapped_from_a_parameter():
    s = optuna.create_study(direction="minimize", sampler=optuna.samplers.RandomSampler(seed=0))

    def obj(t):
        name = t.suggest_categorical("optimizer", ["sgd", "adam"])
        return t.suggest_float("lr", 1e-3, 1.0, log=True) * (2 if name == "sgd" else 1)

    s.optimize(obj, n_trials=8)
    imported = optuna_importer.read(s, mapping={"optimizer": "optimizer"})
    assert set(imported.trials["optimizer"]) == {"sgd", "adam"}
    assert "hp.optimizer" not in imported.trials
    assert all("optimizer" not in space.names for space in imported.spaces.values())
    with pytest.raises(DataError, match="share a key"):
        optuna_importer.read([s, s], constants={"optimizer": "x"})


def test_running_trials_are_skipped_and_listed():
    s = optuna.create_study()
    s.enqueue_trial({"x": 1.0})
    s.ask()
    s.optimize(lambda t: t.suggest_float("x", 0, 2), n_trials=2)
    imported = optuna_importer.read(s)
    skipped = import_report(imported).skipped
    assert [sk.what for sk in skipped] == ["trial"] and "RUNNING" in skipped[0].reason
    assert len(imported.trials) == 2


def test_missing_optuna_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # makes `import optuna` fail
    with pytest.raises(MissingDependencyError, match=r"tunestats\[importers\]"):
        optuna_importer.read("sqlite:///x.db")


def _two_study_storage(path):
    """A real storage with two studies: the same objective name, opposite
    directions; bool, int and int-log parameters; study user attributes."""
    url = f"sqlite:///{path}"
    for name, direction in (("loss_study", "minimize"), ("score_study", "maximize")):
        s = optuna.create_study(study_name=name, direction=direction, storage=url,
                                sampler=optuna.samplers.RandomSampler(seed=1))
        s.set_user_attr("dataset", "mnist")

        def objective(trial, direction=direction):
            lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
            nesterov = trial.suggest_categorical("nesterov", [True, False])
            layers = trial.suggest_int("layers", 1, 4)
            batch = trial.suggest_int("batch_size", 16, 256, log=True)
            gap = (np.log10(lr) + 2) ** 2 + 0.1 * layers + 0.001 * batch + 0.05 * nesterov
            return gap if direction == "minimize" else 1.0 - gap

        s.optimize(objective, n_trials=6)
    return url


def test_multi_study_storage_keeps_each_studys_direction(tmp_path):
    study = optuna_importer.read(_two_study_storage(tmp_path / "two.db"))
    # no silent merge: one metric per direction, each with its own study's direction
    assert study.metric("loss_study_objective").direction == "minimize"
    assert study.metric("score_study_objective").direction == "maximize"
    assert "objective" not in study.metrics
    assert set(study.trials["workload"]) == {"loss_study", "score_study"}
    assert set(study.trials["attr.study_dataset"]) == {"mnist"}


def test_multi_study_storage_keeps_each_studys_finals(tmp_path):
    url = _two_study_storage(tmp_path / "two.db")
    study = optuna_importer.read(url)
    loss = optuna.load_study(study_name="loss_study", storage=url)
    score = optuna.load_study(study_name="score_study", storage=url)
    trials = study.trials
    by_study = {name: trials[trials["attr.study"] == name].set_index("trial")
                for name in ("loss_study", "score_study")}
    assert by_study["loss_study"]["final.loss_study_objective"].to_dict() == {
        t.number: t.value for t in loss.trials}
    assert by_study["score_study"]["final.score_study_objective"].to_dict() == {
        t.number: t.value for t in score.trials}
    # each study its own workload (they optimise different things)
    assert set(by_study["loss_study"]["workload"]) == {"loss_study"}
    # the best trial of each study is its own best, in its own direction
    assert by_study["score_study"]["final.score_study_objective"].max() == score.best_value
    assert study.meta.workloads["score_study"].valid == "score_study_objective"


def test_bool_int_and_int_log_distributions_keep_their_types(tmp_path, recwarn):
    url = _two_study_storage(tmp_path / "two.db")
    study = optuna_importer.read(url, study_name="loss_study")
    assert not [w for w in recwarn if "outside the declared range" in str(w.message)]
    space = study.spaces[("default", "loss_study")]
    assert space["nesterov"] == Param("nesterov", "bool")
    assert set(study.trials["hp.nesterov"]) <= {"true", "false"}
    assert space["nesterov"].contains(study.trials["hp.nesterov"]).all()
    assert space["batch_size"] == Param("batch_size", "int_log", 16, 256)
    assert space["layers"] == Param("layers", "int", 1, 4)
    # the types as optuna itself declares them, distribution by distribution
    loaded = optuna.load_study(study_name="loss_study", storage=url)
    declared = loaded.trials[0].distributions
    assert (declared["batch_size"].low, declared["batch_size"].high,
            declared["batch_size"].log) == (space["batch_size"].low, space["batch_size"].high,
                                            True)
    assert isinstance(declared["layers"], optuna.distributions.IntDistribution)
    assert declared["nesterov"].choices == (True, False)
    for name in ("batch_size", "layers"):
        values = study.trials["hp." + name]
        assert space[name].contains(values).all()
        assert set(values) == {t.params[name] for t in loaded.trials}
    types = study.provenance["optuna_distributions"]["loss_study"]
    assert types["layers"] == {"kind": "int", "log": False, "step": 1}
    assert types["batch_size"] == {"kind": "int", "log": True, "step": 1}
    assert types["lr"]["kind"] == "float" and types["nesterov"] == {
        "kind": "categorical", "types": ["bool"]}
    assert (study.trials["hp.layers"] == study.trials["hp.layers"].round()).all()


def test_a_mistyped_sqlite_url_is_refused_without_creating_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StudyFileError, match="no such SQLite file"):
        optuna_importer.read("sqlite:///typo.db")
    assert not (tmp_path / "typo.db").exists()
