"""Study configs: parsing, presets, planning and every error caught before a trial runs."""

import textwrap

import pytest

from tunestats.errors import DataError, ParameterError, StudyFileError
from tunestats.runner.config import load_config, parse_config
from tunestats.runner.presets import PRESETS

BASE = """
seed = 7
trials = 4
optimizers = {optimizers}

[workloads.tiny]
kind = "digits_mlp"
steps = 10
eval_every = 5
options = { hidden = 8 }
"""


def config(tmp_path, text, optimizers='["sgd", "adam"]'):
    path = tmp_path / "study.toml"
    path.write_text(BASE.replace("{optimizers}", optimizers) + textwrap.dedent(text), encoding="utf-8")
    return load_config(path)


def test_presets_parse_for_every_optimizer(tmp_path):
    cfg = config(tmp_path, "\n".join(f'[protocols.{p}]\npreset = "{p}"' for p in PRESETS))
    assert list(cfg.protocols) == ["paper", "lr-only", "lr-grid"]
    assert cfg.protocol_trials == {"lr-grid": 36}
    cfg.check()
    specs = cfg.plan()
    assert len(specs) == 2 * 4 + 2 * 4 + 2 * 36
    adam = [s for s in specs if s.key[1:3] == ("paper", "adam")]
    for s in adam:  # the derived learning rate
        assert s.hp["learning_rate"] == pytest.approx(s.hp["lr_over_epsilon"] * s.hp["epsilon"])
    grid = [s.hp["learning_rate"] for s in specs if s.key[1:3] == ("lr-grid", "sgd")]
    assert grid[0] == 1e-5 and grid[-1] == 100.0 and len(set(grid)) == 36


def test_plan_is_seeded_and_independent_of_the_trial_count(tmp_path):
    a = config(tmp_path, '[protocols.p]\npreset = "paper"').plan()
    b = config(tmp_path, '[protocols.p]\npreset = "paper"\ntrials = 6').plan()
    first = {s.key: (s.seed, dict(s.hp)) for s in a}
    assert all(first[s.key] == (s.seed, dict(s.hp)) for s in b if s.key in first)
    assert len(b) == 12 and len({s.seed for s in b}) == 12


@pytest.mark.parametrize(("text", "error", "match"), [
    ('[protocols.p.sgd]\nparams.learning_rate = {scale="log", low=0.1, high=1}\n'
     '[protocols.p.adagrad]\nparams.learning_rate = {scale="log", low=0.1, high=1}',
     ParameterError, r"unknown key\(s\) \['adagrad'\]"),
    ('[protocols.p.sgd]\nparams.learning_rate = {scale="log", low=0.1, high=1}\n'
     'params.momentum = {scale="linear", low=0, high=1}',
     ParameterError, r"unknown parameter\(s\) \['momentum'\]"),
    ('[protocols.p.sgd]\nparams.learning_rate = {scale="exp", low=0.1, high=1}',
     ParameterError, "`scale` must be one of"),
    ('[protocols.p.sgd]\nparams.learning_rate = {scale="linear", low=1, high=0.1}',
     ParameterError, "`low` must be < `high`"),
    ('[protocols.p.sgd]\nparams.learning_rate = {scale="log", low=0, high=1}',
     ParameterError, "log scale needs `low` > 0"),
    ('[protocols.p.sgd]\nfixed = {schedule = "constant"}',
     ParameterError, r"\['learning_rate'\] of optimizer 'sgd' are neither tuned"),
    ('[protocols.p]\npreset = "wide"', ParameterError, "unknown preset 'wide'"),
    ('[protocols.p]\npreset = "paper"\n[workloads.other]\nkind = "imagenet"\nsteps = 3',
     ParameterError, "unknown workload 'imagenet'"),
    ('[protocols.p]\npreset = "paper"\n[workloads.lm]\nkind = "char_lstm"\nsteps = 3\n'
     'options = { path = "/nonexistent/corpus.txt" }', DataError, "cannot read the corpus"),
    ('[protocols.p.sgd]\nparams.learning_rate = {scale="log", low=0.1, high=1}\n'
     'fixed = { weight_decay = -1.0 }', ParameterError, "`weight_decay`"),
])
def test_config_errors_before_any_trial(tmp_path, text, error, match):
    with pytest.raises(error, match=match):
        config(tmp_path, text, optimizers='["sgd"]').check()


def test_unreadable_or_malformed_config(tmp_path):
    with pytest.raises(ParameterError, match="`optimizers` must be one of"):
        parse_config({"optimizers": ["adagrad"]})
    with pytest.raises(StudyFileError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = = 1", encoding="utf-8")
    with pytest.raises(StudyFileError, match="not a valid TOML"):
        load_config(bad)


def test_presets_are_read_only():
    with pytest.raises(TypeError):
        PRESETS["paper"]["sgd"] = {}
    with pytest.raises(TypeError):
        PRESETS["lr-only"]["adam"]["fixed"]["beta1"] = 0.5
    grid = PRESETS["lr-grid"]["sgd"]["params"]["learning_rate"]["choices"]
    assert isinstance(grid, tuple) and len(grid) == 36


def test_grown_trials_keep_every_planned_trial(tmp_path):
    # a plan with more trials extends the smaller one: same keys, seeds and points
    small = config(tmp_path, '[protocols.p]\npreset = "paper"\ntrials = 3').plan()
    large = config(tmp_path, '[protocols.p]\npreset = "paper"\ntrials = 7').plan()
    by_key = {s.key: (s.seed, dict(s.hp)) for s in large}
    assert all(by_key[s.key] == (s.seed, dict(s.hp)) for s in small)
