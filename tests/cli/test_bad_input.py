"""Bad input, from every verb: exit 1 (data) or 2 (usage) with one line on stderr, no
traceback, and nothing that exists modified (issue 13).

Each case builds a damaged study or a clashing output in a temporary folder, runs the
command line in-process and checks the exit code, that stderr is exactly one line
``tunestats: error: ...`` naming what is wrong, and that every file that existed
before is byte-for-byte unchanged.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pandas as pd
import pytest

import tunestats
from tunestats.cli.main import main
from tunestats.study import _atomic

from ..conftest import make_small_study


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def run_bad(argv: list[str], root: Path, capsys, *, code: int, says: str) -> str:
    """Run ``argv``; check the exit ``code``, one error line containing ``says``, and that
    nothing under ``root`` changed or appeared."""
    before = snapshot(root)
    assert main([str(a) for a in argv]) == code
    captured = capsys.readouterr()
    err = captured.err
    assert "Traceback" not in err + captured.out
    lines = [line for line in err.splitlines() if not line.startswith("  ")]  # not progress
    assert len(lines) == 1, err
    if argv[0] == "validate" and not lines[0].startswith("tunestats: error: "):
        # a readable study with problems: one per line on stdout, a summary on stderr
        assert lines[0].endswith("is invalid: 1 error(s)"), err
        (line,) = [line for line in captured.out.splitlines() if line.startswith("error: ")]
    else:
        assert lines[0].startswith("tunestats: error: "), err
        line = lines[0]
    assert says in line, line
    assert snapshot(root) == before
    return line


@pytest.fixture
def studies(tmp_path: Path) -> Path:
    study = make_small_study()
    for fmt in ("parquet", "csv", "jsonl"):
        study.save(tmp_path / fmt, format=fmt)
    return tmp_path


def _edit_csv(path: Path, column: str, row: int, value: str) -> None:
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[row + 1].split(",")
    cells[header.index(column)] = value
    lines[row + 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


def _edit_meta(folder: Path, change) -> None:
    doc = json.loads((folder / "study.json").read_text())
    change(doc)
    (folder / "study.json").write_text(json.dumps(doc))


# -- unreadable files ---------------------------------------------------------------


def test_non_utf8_csv(studies, capsys):
    with (studies / "csv" / "trials.csv").open("ab") as handle:
        handle.write(b"\xff\xfe\n")
    run_bad(["info", studies / "csv"], studies, capsys, code=1, says="trials.csv")


def test_non_utf8_jsonl_names_the_line(studies, capsys):
    with (studies / "jsonl" / "trials.jsonl").open("ab") as handle:
        handle.write(b"\xff\xfe\n")
    run_bad(["info", studies / "jsonl"], studies, capsys, code=1,
            says="trials.jsonl: line 5 is not UTF-8 text")


def test_non_utf8_study_json(studies, capsys):
    (studies / "parquet" / "study.json").write_bytes(b'{"name": "\xff"}')
    run_bad(["validate", studies / "parquet"], studies, capsys, code=1,
            says="study.json: not UTF-8 text")


def test_folder_where_a_table_file_belongs(studies, capsys):
    (studies / "csv" / "curves.csv").unlink()
    (studies / "csv" / "curves.csv").mkdir()
    run_bad(["info", studies / "csv"], studies, capsys, code=1, says="curves.csv")


def test_deeply_nested_json(studies, capsys):
    (studies / "parquet" / "study.json").write_text("[" * 100_000 + "]" * 100_000)
    run_bad(["validate", studies / "parquet"], studies, capsys, code=1,
            says="study.json: JSON nested too deeply")


def test_5000_digit_number_in_json(studies, capsys):
    (studies / "parquet" / "study.json").write_text('{"schema_version": ' + "9" * 5000 + "}")
    run_bad(["info", studies / "parquet"], studies, capsys, code=1,
            says="study.json: unreadable JSON value")


def test_record_whose_hp_is_not_an_object(studies, capsys):
    folder = studies / "parquet" / "records"
    folder.mkdir()
    (folder / "r.json").write_text(json.dumps({
        "workload": "w", "protocol": "paper", "optimizer": "sgd", "repeat": 0, "trial": 9,
        "status": "completed", "hp": [0.1, 0.9]}))
    run_bad(["info", studies / "parquet"], studies, capsys, code=1, says="`hp` must be")


def test_non_utf8_record(studies, capsys):
    folder = studies / "parquet" / "records"
    folder.mkdir()
    (folder / "r.json").write_bytes(b'{"workload": "\xff"}')
    run_bad(["convert", studies / "parquet", studies / "out"], studies, capsys, code=1,
            says="r.json: not UTF-8 text")
    assert not (studies / "out").exists()


# -- the loader and validate refuse what later verbs would --------------------------


def test_inf_in_a_key_column(studies, capsys):
    _edit_csv(studies / "csv" / "trials.csv", "trial", 0, "inf")
    line = run_bad(["validate", studies / "csv"], studies, capsys, code=1, says="'trial'")
    assert "got inf" in line


def test_trial_id_beyond_int64(studies, capsys):
    _edit_csv(studies / "csv" / "trials.csv", "trial", 0, str(2**64 + 1))
    run_bad(["info", studies / "csv"], studies, capsys, code=1, says=str(2**64 + 1))


def test_trial_ids_near_2_62_load_and_analyse(tmp_path, capsys):
    # valid keys: the key coder must not overflow (it used to crash on a read-only array)
    study = make_small_study()
    trials, curves = study.trials.copy(), study.curves.copy()
    big = 2**62 + 7
    trials["trial"] = trials["trial"].astype("int64") + big
    curves["trial"] = curves["trial"].astype("int64") + big
    tunestats.Study.from_frames(trials, curves, metrics=study.metrics).save(tmp_path / "s",
                                                                            format="csv")
    assert main(["info", str(tmp_path / "s")]) == 0
    assert main(["best-of-k", str(tmp_path / "s"), "--select", "valid_error", "--report",
                 "train_loss", "--k", "2", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{"):])["best_of_k"][0]["n_trials"] == 4
    assert tunestats.load_study(tmp_path / "s").trials["trial"].min() == big


@pytest.mark.parametrize("target", [float("nan"), float("inf")])
def test_non_finite_target(studies, capsys, target):
    _edit_meta(studies / "parquet", lambda d: d.update(targets={"w": {"valid_error": target}}))
    run_bad(["validate", studies / "parquet"], studies, capsys, code=1,
            says="target must be a finite number")


@pytest.mark.parametrize(("graph", "says"), [
    ({"edges": [["sgd", "adam"], ["adam", "sgd"]]}, "has a cycle"),
    ({"edges": [["sgd"]]}, "must be a pair of optimizer names"),
    ({"edges": "sgd<adam"}, "must be a non-empty list"),
])
def test_inclusion_graph_that_compare_refuses(studies, capsys, graph, says):
    _edit_meta(studies / "parquet", lambda d: d.update(inclusion=graph))
    assert main(["compare", str(studies / "parquet")]) == 1
    assert says in capsys.readouterr().err
    before = snapshot(studies)
    assert main(["validate", str(studies / "parquet")]) == 1
    captured = capsys.readouterr()
    assert says in captured.out and "is invalid" in captured.err
    assert snapshot(studies) == before


# -- usage ----------------------------------------------------------------------------


@pytest.mark.parametrize("verb", ["best-of-k", "compare"])
def test_k_too_large_for_numpy(studies, capsys, verb):
    run_bad([verb, studies / "parquet", "--k", str(10**21)], studies, capsys, code=2,
            says="below 2^63")


def test_debug_after_the_verb_shows_the_traceback(studies):
    with pytest.raises(tunestats.errors.DataError):
        main(["info", str(studies / "nope"), "--debug"])


# -- nothing overwritten without --force ---------------------------------------------


def test_out_file_exists(studies, capsys):
    (studies / "pools.csv").write_text("mine\n")
    run_bad(["info", studies / "parquet", "--out", studies / "pools.csv"], studies, capsys,
            code=2, says="pools.csv exists; pass --force")
    assert main(["info", str(studies / "parquet"), "--out", str(studies / "pools.csv"),
                 "--force"]) == 0
    assert pd.read_csv(studies / "pools.csv")["trials"].tolist() == [4]


def test_out_folder_missing_is_not_created(studies, capsys):
    run_bad(["info", studies / "parquet", "--out", studies / "new" / "x.csv"], studies, capsys,
            code=2, says="does not exist")
    assert not (studies / "new").exists()


def test_out_is_a_folder(studies, capsys):
    (studies / "x.csv").mkdir()
    run_bad(["info", studies / "parquet", "--out", studies / "x.csv"], studies, capsys, code=2,
            says="is a folder")


def test_multi_table_out_is_checked_before_computing(studies, capsys, monkeypatch):
    (studies / "c-rankings.csv").write_text("mine\n")
    calls = []
    monkeypatch.setattr("tunestats.cli.compare.compare_protocols",
                        lambda *a, **k: calls.append(1))
    run_bad(["compare", studies / "parquet", "--out", studies / "c.csv"], studies, capsys,
            code=2, says="c-rankings.csv exists")
    assert calls == []


def test_multi_table_out_lists_the_files(studies, capsys):
    assert main(["compare", str(studies / "parquet"), "--out", str(studies / "c.csv")]) == 0
    err = capsys.readouterr().err
    names = ["flips", "violations", "agreement", "rankings"]
    assert f"wrote {', '.join(str(studies / f'c-{n}.csv') for n in names)}" in err
    assert all((studies / f"c-{n}.csv").exists() for n in names)


def test_convert_into_an_existing_study(studies, capsys):
    run_bad(["convert", studies / "parquet", studies / "csv", "--to", "csv"], studies, capsys,
            code=2, says="already holds a study")
    assert main(["convert", str(studies / "parquet"), str(studies / "csv"), "--to", "jsonl",
                 "--force"]) == 0
    assert (studies / "csv" / "trials.jsonl").exists()
    assert not (studies / "csv" / "trials.csv").exists()


def test_convert_into_a_foreign_folder(studies, capsys):
    (studies / "notes").mkdir()
    (studies / "notes" / "todo.txt").write_text("keep me\n")
    run_bad(["convert", studies / "parquet", studies / "notes"], studies, capsys, code=2,
            says="not a study and not empty (todo.txt)")


def test_convert_onto_a_file(studies, capsys):
    (studies / "file").write_text("x")
    run_bad(["convert", studies / "parquet", studies / "file"], studies, capsys, code=2,
            says="exists and is not a folder")


def test_import_into_an_existing_study(studies, capsys):
    log = studies / "runs.csv"
    log.write_text("trial,lr,val_error\n0,0.1,0.5\n1,0.01,0.4\n")
    run_bad(["import", "generic", log, "--out", studies / "parquet", "--set", "workload=w",
             "--set", "optimizer=sgd", "--map", "hp=lr", "--metric", "val_error=minimize"],
            studies, capsys, code=2, says="already holds a study")


def test_figures_over_existing_figures(studies, capsys):
    (studies / "figs").mkdir()
    (studies / "figs" / "overview.png").write_bytes(b"mine")
    run_bad(["figures", studies / "parquet", "--out", studies / "figs", "--only", "overview"],
            studies, capsys, code=2, says="overview.png")
    assert main(["figures", str(studies / "parquet"), "--out", str(studies / "figs"),
                 "--only", "overview", "--force"]) == 0
    assert (studies / "figs" / "overview.png").read_bytes()[:4] == b"\x89PNG"


# -- the operating system fails -----------------------------------------------------


def _failing_replace(code: int):
    def replace(src, dst):
        raise OSError(code, __import__("os").strerror(code), str(src))
    return replace


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "No space left on device"),
                                               (errno.EACCES, "Permission denied")])
def test_disk_full_or_permission_on_out(studies, capsys, monkeypatch, code, reason):
    monkeypatch.setattr(_atomic.os, "replace", _failing_replace(code))
    line = run_bad(["info", studies / "parquet", "--out", studies / "p.json"], studies, capsys,
                   code=1, says=reason)
    assert line == f"tunestats: error: {studies / 'p.json'}: {reason}"  # the file, not a temp


def test_disk_full_on_convert(studies, capsys, monkeypatch):
    monkeypatch.setattr(_atomic.os, "replace", _failing_replace(errno.ENOSPC))
    line = run_bad(["convert", studies / "parquet", studies / "new"], studies, capsys, code=1,
                   says="No space left on device")
    assert str(studies / "new") in line
    assert not any((studies / "new").glob(".*.tmp"))


def test_disk_full_on_figures(studies, capsys, monkeypatch):
    monkeypatch.setattr(_atomic.os, "replace", _failing_replace(errno.ENOSPC))
    run_bad(["figures", studies / "parquet", "--out", studies / "figs", "--only", "overview"],
            studies, capsys, code=1, says="overview.png: No space left on device")
