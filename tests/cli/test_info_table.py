"""`tunestats info` fits 100 columns: abbreviations, each explained by the legend under the
table, on the bundled study and on the imported real AlgoPerf v0.6 logs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tunestats.cli._output import fit_table
from tunestats.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
AP = ROOT / "tests" / "data" / "algoperf_v06"
WORD = re.compile(r"[A-Za-z][\w.\-/]*")


def legend_of(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """The table's lines and the legend's ``short → long`` (``abbreviations:`` to the end)."""
    at = next((i for i, line in enumerate(lines) if line.startswith("abbreviations:")),
              len(lines))
    text = " ".join(lines[at:])[len("abbreviations:"):]
    entries = [e.strip() for e in text.split(";") if e.strip()]
    legend = dict(e.split(" = ", 1) for e in entries)
    assert len(legend) == len(entries)  # no code explained twice
    return lines[:at], legend


def check_info(study: Path, capsys) -> tuple[list[str], dict[str, str]]:
    assert main(["info", str(study)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and max(map(len, lines)) <= 100, max(lines, key=len)
    assert main(["info", str(study), "--json"]) == 0
    pools = pd.DataFrame(json.loads(capsys.readouterr().out)["pools"])
    table, legend = legend_of(lines)
    # every word the table shows is a name of the full table or a code the legend explains
    # with a name of the full table
    known = {w for c in pools.columns for w in WORD.findall(str(c))} | {
        w for c in pools.columns if not pd.api.types.is_numeric_dtype(pools[c])
        for v in pools[c].astype(str) for w in WORD.findall(v)} | {"metric", "best", "NaN"}
    header = next(i for i, line in enumerate(table) if re.match(r"\s*(wl|workload)\b", line))
    for line in table[header:]:
        for word in WORD.findall(line):
            assert word in known or word in legend, (word, line)
    for short, long in legend.items():
        assert long in known or long in pools.columns, (short, long)
    return table[header:], legend


def test_info_on_the_bundled_study_fits_and_explains_its_abbreviations(capsys):
    table, legend = check_info(ROOT / "data" / "study", capsys)
    assert len(table) == 1 + 24  # header + one row per pool: nothing wraps
    codes = {v: k for k, v in legend.items()}
    paper_adam = next(line for line in table if " paper " in line and " adam " in line)
    # adam's tuned parameters in the paper protocol, each as its code
    assert {codes.get(n, n) for n in ("learning_rate", "beta1", "beta2", "epsilon")} <= set(
        re.split(r"[ ,]+", paper_adam))


@pytest.fixture(scope="module")
def algoperf_study(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ap") / "study"
    assert main(["import", "algoperf", str(AP / "logs" / "external_tuning"), "--out", str(out),
                 "--targets", str(AP / "workload_targets_v06.json")]) == 0
    return out


def test_info_on_imported_algoperf_logs_fits_and_names_each_rows_metric(algoperf_study,
                                                                         capsys):
    capsys.readouterr()
    table, legend = check_info(algoperf_study, capsys)
    assert len(table) == 1 + 16
    # workloads differ in their headline metric: each row names its own
    codes = {v: k for k, v in legend.items()}
    fastmri = [line for line in table[1:] if line.split()[0] == codes.get("fastmri", "fastmri")]
    assert len(fastmri) == 2
    assert all(codes.get("validation_ssim", "validation_ssim") in line.split()
               for line in fastmri)


def test_fit_table_round_trips_through_its_legend():
    names = ["learning_rate", "one_minus_beta1", "one_minus_beta2", "weight_decay",
             "label_smoothing", "dropout_rate"]
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "workload": ["librispeech_conformer", "imagenet_resnet", "imagenet_vit"] * 2,
        "optimizer": ["baseline"] * 3 + ["shampoo"] * 3,
        "trials": [15] * 6, "best validation_loss": rng.random(6),
        "tuned": [", ".join(names[: 3 + i % 4]) for i in range(6)]})
    fitted, entries = fit_table(frame, width=70)
    assert max(map(len, fitted.to_string(index=False).splitlines())) <= 70
    legend = dict(e.split(" = ", 1) for e in entries)
    assert len(legend) == len(entries)
    # expanding every code gives the original table back
    assert [legend.get(c, c) for c in fitted.columns] == list(frame.columns)
    for short_col, col in zip(fitted.columns, frame.columns, strict=True):
        if pd.api.types.is_numeric_dtype(frame[col]):
            np.testing.assert_array_equal(fitted[short_col], frame[col])
            continue
        if col == "tuned":
            expanded = fitted[short_col].map(
                lambda v: ", ".join(legend.get(w, w) for w in v.split(",")))
        else:
            expanded = fitted[short_col].map(lambda v: legend.get(v, v))
        assert expanded.tolist() == frame[col].tolist()


def test_fit_table_leaves_a_narrow_table_alone():
    frame = pd.DataFrame({"optimizer": ["adam"], "trials": [3]})
    fitted, legend = fit_table(frame)
    assert fitted is frame and legend == []
