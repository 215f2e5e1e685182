"""Running studies: local pool, resume, SIGKILL and rerun, Ctrl-C, Dask, the CLI."""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tunestats import compare_protocols, inclusion_violations
from tunestats.analysis import DEFAULT_EDGES, inclusion_graph
from tunestats.cli.main import main
from tunestats.errors import ParameterError, StudyFileError
from tunestats.runner.config import load_config
from tunestats.runner.execute import run_study
from tunestats.runner.workloads import WORKLOADS, Workload, make_workload, register_workload
from tunestats.study import compact_study, done_keys, load_study, write_record
from tunestats.study.schema import KEY

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


def _deliver_sigint():
    """In the child before exec: SIGINT at its default and unblocked, as in a terminal, even
    when the test runner was started with it ignored or blocked (a background job of a
    non-interactive shell ignores it, and the child would inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def cli(*args):
    return subprocess.Popen([sys.executable, "-m", "tunestats", "run", *args, "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_deliver_sigint)


def wait_for_records(folder, count, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        records = folder / "records"
        if records.is_dir() and len(list(records.glob("*.json"))) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"no {count} record(s) appeared (exit code {process.poll()})")


@pytest.mark.slow
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


def test_sgd_and_adam_study_compares_and_keeps_sgd_within_adam(reference, capsys):
    study = load_study(reference)
    assert inclusion_graph(study).pairs(["adam", "sgd"]) == [("sgd", "adam")]
    checks = inclusion_violations(study, seed=0, all_checks=True)
    assert set(zip(checks["included"], checks["including"], strict=True)) == {("sgd", "adam")}
    comparison = compare_protocols(study, seed=0)
    assert set(zip(comparison.violations["included"], comparison.violations["including"],
                   strict=True)) <= {("sgd", "adam")}
    assert main(["compare", str(reference)]) == 0, capsys.readouterr().err


def test_resuming_a_csv_study_runs_nothing_again(reference, tmp_path):
    # done_keys reads the tables in their own format: a CSV study resumes
    csv = tmp_path / "csv"
    load_study(reference).save(csv, format="csv")
    (csv / "study.json").write_text((reference / "study.json").read_text())
    assert len(done_keys(csv)) == 12
    summary = run_study(load_config(reference.parent / "study.toml"), csv, workers=1,
                        progress=False)
    assert (summary.skipped, summary.ran) == (12, 0)
    assert (csv / "trials.csv").exists() and not (csv / "trials.parquet").exists()


def test_resume_explains_a_config_difference_field_by_field(reference, tmp_path):
    text = CONFIG.format(trials=6, steps=60)
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("steps = 60", "steps = 80").replace("seed = 11",
                                                                        "seed = 12"))
    with pytest.raises(StudyFileError, match=r"another config \(seed: 11 → 12; "
                                             r"workloads\.tiny\.steps: 60 → 80\)"):
        run_study(load_config(changed), reference, workers=1, progress=False)
    commented = tmp_path / "commented.toml"
    commented.write_text("# the same study, with a comment\n" + text)
    summary = run_study(load_config(commented), reference, workers=1, progress=False)
    assert (summary.skipped, summary.ran) == (12, 0)


def test_only_trials_grew_adds_the_new_trials(reference, tmp_path):
    grown = tmp_path / "grown"
    shutil.copytree(reference, grown)
    summary = run_study(load_config(write_config(tmp_path, trials=8)), grown, workers=2,
                        progress=False)
    assert (summary.planned, summary.skipped, summary.ran) == (16, 12, 4)
    got, before = trial_set(grown), trial_set(reference)
    assert {key: got[key] for key in before} == before  # the trials done are kept as they were
    assert {key[4] for key in set(got) - set(before)} == {6, 7}
    assert "trials = 8" in json.loads((grown / "study.json").read_text())["provenance"]["config"]
    shrunk = write_config(tmp_path, trials=4)
    with pytest.raises(StudyFileError, match=r"trials: 8 → 4"):
        run_study(load_config(shrunk), grown, workers=1, progress=False)


HOLD_LOCK = """
import sys, time
from pathlib import Path
from tunestats.study import study_lock
with study_lock(Path(sys.argv[1]), "test"):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_run_into_a_locked_folder_stops_at_once(reference, tmp_path):
    out = tmp_path / "locked"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        start = time.monotonic()
        with pytest.raises(StudyFileError, match=rf"another process \(pid {holder.pid}\) is "
                                                 r"writing this study; cannot run the study"):
            run_study(load_config(reference.parent / "study.toml"), out, workers=1,
                      progress=False)
        assert time.monotonic() - start < 30 and not (out / "records").exists()
        with pytest.raises(StudyFileError, match="cannot compact it"):
            compact_study(out)
    finally:
        holder.kill()
        holder.wait()


def test_compaction_without_the_lock_keeps_a_writers_temporary_file(reference, tmp_path):
    # a record being written by another process (its temporary file) survives a
    # save that does not hold the folder's lock
    folder = tmp_path / "study"
    study = load_study(reference)
    study.save(folder)
    records = folder / "records"
    records.mkdir()
    row = study.trials.iloc[0]
    write_record(folder, {**{k: row[k] for k in KEY}, "status": "completed"})
    (records / ".r0-t99-abc.json.tmp").write_text("{")
    study.save(folder)
    assert (records / ".r0-t99-abc.json.tmp").exists()
    assert not list(records.glob("*.json"))  # the compacted record is removed


def children_of(pid):
    """The pids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.split("/")[2]))
    return found


def alive(pid):
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    config = write_config(tmp_path, trials=10, steps=3000)
    out = tmp_path / "orphans"
    process = cli(str(config), "--out", str(out), "--workers", "2")
    deadline = time.monotonic() + 120
    workers = []
    while time.monotonic() < deadline and len(workers) < 2 and process.poll() is None:
        workers = children_of(process.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, f"no workers started (exit code {process.poll()})"
    time.sleep(1.0)  # the workers are computing trials now
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)]


def test_fail_fast_shows_the_workers_traceback(tmp_path):
    @register_workload("broken_for_fail_fast")
    def broken() -> Workload:
        def model():
            raise RuntimeError("bug in my model")
        return Workload(make_workload("digits_mlp", hidden=4).data, model)

    try:
        text = CONFIG.format(trials=2, steps=5).replace('kind = "digits_mlp"',
                                                        'kind = "broken_for_fail_fast"')
        text = text.replace("options = { hidden = 8 }\n", "")
        path = tmp_path / "broken.toml"
        path.write_text(text)
        summary = run_study(load_config(path), tmp_path / "recorded", workers=1, progress=False)
        assert summary.failed == 4  # without the switch: a column of failed trials
        with pytest.raises(RuntimeError, match="bug in my model") as info:
            run_study(load_config(path), tmp_path / "fast", workers=1, progress=False,
                      fail_fast=True)
        assert "in model" in str(info.value.__cause__)  # the worker's own traceback
    finally:
        del WORKLOADS["broken_for_fail_fast"]


def test_three_million_trials_are_refused_at_once(tmp_path, capsys):
    config = write_config(tmp_path, trials=3_000_000)
    start = time.monotonic()
    code = main(["run", str(config), "--out", str(tmp_path / "huge"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "plans 6,000,000 trials; one run plans at most 250,000" in err
    assert len(err.strip().splitlines()) == 1 and time.monotonic() - start < 10


def test_derived_division_by_zero_is_one_line(tmp_path, capsys):
    config = tmp_path / "zero.toml"
    config.write_text('optimizers = ["sgd"]\n[workloads.digits_mlp]\nsteps = 5\n'
                      '[protocols.p.sgd]\nparams.a = {scale = "log", low = 0.1, high = 1}\n'
                      'fixed = {b = 0.0}\nderived = {learning_rate = "a / b"}\n')
    code = main(["run", str(config), "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "protocols.p.sgd.derived.learning_rate: 'a / b' divides by zero (b = 0)" in err


def test_unreachable_dask_scheduler_is_one_clear_error(reference, tmp_path):
    pytest.importorskip("distributed")
    with pytest.raises(ParameterError, match=r"`scheduler`: cannot connect to the Dask "
                                             r"scheduler at tcp://127\.0\.0\.1:9 within 1 s"):
        run_study(load_config(reference.parent / "study.toml"), tmp_path / "dask",
                  scheduler="tcp://127.0.0.1:9", connect_timeout=1, progress=False)
