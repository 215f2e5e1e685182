"""Running studies: local pool, resume, SIGKILL and rerun, Ctrl-C, Dask, the CLI."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tunestats.analysis import DEFAULT_EDGES
from tunestats.cli.main import main
from tunestats.runner.config import load_config
from tunestats.runner.execute import run_study
from tunestats.study import load_study

CONFIG = """
seed = 11
trials = {trials}
optimizers = ["sgd", "adam"]

[workloads.tiny]
kind = "digits_mlp"
steps = {steps}
eval_every = 10
options = {{ hidden = 8 }}
targets = {{ valid_error = 0.5 }}

[protocols.lr-only]
preset = "lr-only"
"""


def write_config(tmp_path, trials=3, steps=60):
    path = tmp_path / "study.toml"
    path.write_text(CONFIG.format(trials=trials, steps=steps), encoding="utf-8")
    return path


def trial_set(study_dir):
    """(key → seed, status, hyperparameters) of a finished study; the hyperparameters an
    optimizer does not take (NaN in its rows) are left out."""
    trials = load_study(study_dir).trials
    hp = [c for c in trials.columns if c.startswith("hp.")]
    out = {}
    for row in trials.to_dict("records"):
        key = tuple(row[k] for k in ("workload", "protocol", "optimizer", "repeat", "trial"))
        assert key not in out, f"duplicate trial {key}"
        out[key] = (row["seed"], row["status"],
                    {c: row[c] for c in hp if not (isinstance(row[c], float) and np.isnan(row[c]))})
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run of the 12-trial study: the trial set every other run must match."""
    folder = tmp_path_factory.mktemp("reference")
    config = write_config(folder, trials=6)
    summary = run_study(load_config(config), folder / "study", workers=2, progress=False)
    assert (summary.planned, summary.ran, summary.interrupted) == (12, 12, False)
    return folder / "study"


def test_local_run_compacts_validates_and_matches_the_plan(reference):
    study = load_study(reference)
    assert not (reference / "records").exists()
    assert {p.name for p in reference.iterdir()} >= {"study.json", "trials.parquet",
                                                     "curves.parquet"}
    plan = load_config(reference.parent / "study.toml").plan()
    got = trial_set(reference)
    assert set(got) == {spec.key for spec in plan}
    for spec in plan:
        seed, _, hp = got[spec.key]
        assert seed == spec.seed
        assert hp["hp.learning_rate"] == spec.hp["learning_rate"]
    meta = json.loads((reference / "study.json").read_text())
    assert meta["provenance"]["seed"] == 11 and "torch" in meta["provenance"]["versions"]
    assert meta["targets"] == {"tiny": {"valid_error": 0.5}}
    # the paper's whole graph: sgd ⊆ adam holds through momentum, absent from the study
    assert meta["inclusion"]["edges"] == [list(edge) for edge in DEFAULT_EDGES]
    assert set(study.metrics) == {"train_loss", "valid_loss", "valid_error", "test_loss",
                                  "test_error"}


def test_rerun_resumes_without_running_anything(reference, tmp_path):
    summary = run_study(load_config(reference.parent / "study.toml"), reference, workers=2,
                        progress=False)
    assert (summary.skipped, summary.ran) == (12, 0)
    other = write_config(tmp_path, trials=5)
    with pytest.raises(Exception, match="another config"):
        run_study(load_config(other), reference, workers=1, progress=False)


def cli(*args):
    return subprocess.Popen([sys.executable, "-m", "tunestats", "run", *args, "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_records(folder, count, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        records = folder / "records"
        if records.is_dir() and len(list(records.glob("*.json"))) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"no {count} record(s) appeared (exit code {process.poll()})")


def test_sigkill_at_a_random_point_then_rerun_gives_the_same_trial_set(reference, tmp_path):
    # kill once a random number (1 to 10) of the 12 trials is written: mid-run by design
    seed = int.from_bytes(os.urandom(4), "little")
    written = int(np.random.default_rng(seed).integers(1, 11))
    config = write_config(tmp_path, trials=6)
    out = tmp_path / "killed"
    process = cli(str(config), "--out", str(out), "--workers", "2")
    wait_for_records(out, written, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    kept = len(list((out / "records").glob("*.json")))
    assert written <= kept < 12, f"seed {seed}"
    rerun = cli(str(config), "--out", str(out), "--workers", "2")
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert f"{kept} resumed" in stdout, f"seed {seed}"
    assert trial_set(out) == trial_set(reference), f"seed {seed}"
    assert not list(out.rglob("*.tmp"))


def test_ctrl_c_stops_cleanly_and_keeps_what_finished(tmp_path):
    config = write_config(tmp_path, trials=10, steps=200)
    out = tmp_path / "interrupted"
    process = cli(str(config), "--out", str(out), "--workers", "1")
    wait_for_records(out, 1, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "resume" in stderr
    kept = list((out / "records").glob("*.json"))
    assert 1 <= len(kept) < 20
    for path in kept:  # every record that is there is whole
        assert json.loads(path.read_text())["status"] in ("completed", "diverged", "failed")


def test_dask_local_cluster_gives_the_same_trial_set(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        summary = run_study(load_config(reference.parent / "study.toml"), tmp_path / "dask",
                            scheduler=cluster.scheduler_address, progress=False)
    assert summary.ran == 12
    assert trial_set(tmp_path / "dask") == trial_set(reference)


@pytest.mark.parametrize(("text", "message"), [
    ('seed = 1\n[workloads.x]\nkind = "nope"\nsteps = 5\n[protocols.p]\npreset = "paper"',
     "unknown workload 'nope'"),
    ('seed = 1\noptimizers = ["sgd"]\n[workloads.digits_mlp]\nsteps = 5\n'
     '[protocols.p.sgd]\nparams.learning_rate = {scale = "log", low = -1, high = 1}',
     "log scale needs `low` > 0"),
])
def test_cli_config_errors_fail_before_any_trial(tmp_path, capsys, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    code = main(["run", str(config), "--out", str(tmp_path / "out"), "--no-progress"])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
