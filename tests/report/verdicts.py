"""The report's verdict tables against what ``tunestats check-space --json`` and
``tunestats compare --json`` print for the same study (shared by the html5lib and the
browser tests, which read the tables each their own way)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from tunestats.cli.main import main

POOL = ("workload", "protocol", "optimizer")
_RANGE = re.compile(r"(\w+): \[([^,\]]+), ([^\]]+)\]")


def cli_json(capsys, verb: str, study: Path) -> dict:
    """What ``tunestats VERB STUDY --json`` prints."""
    capsys.readouterr()
    main([verb, str(study), "--json"])
    return json.loads(capsys.readouterr().out)


def close(text: str, value: float | None) -> bool:
    """A cell shown to 4 significant digits against the full value."""
    if value is None:
        return text == ""
    return math.isclose(float(text), value, rel_tol=5e-4, abs_tol=1e-12)


def check_space_rows(rows: list[dict[str, str]], checked: dict) -> None:
    """One row per pool: verdict from the reasons, budget verdict, proposed ranges."""
    assert len(rows) == len(checked["budgets"])
    bad = {tuple(r[c] for c in POOL) for r in checked["reasons"]}
    budgets = {tuple(b[c] for c in POOL): b["verdict"] for b in checked["budgets"]}
    for row in rows:
        pool = tuple(row[c] for c in POOL)
        assert row["verdict"] == ("not adequate" if pool in bad else "adequate"), pool
        assert row["budget"] == budgets[pool], pool
        proposed = [b for b in checked["boundaries"] if tuple(b[c] for c in POOL) == pool
                    and b["proposed_low"] is not None]
        shown = _RANGE.findall(row["proposed ranges"])
        assert len(shown) == len(proposed), pool
        for (param, low, high), side in zip(shown, proposed, strict=True):
            assert param == side["param"]
            assert close(low, side["proposed_low"]) and close(high, side["proposed_high"])
    assert not checked["adequate"] or not bad


def check_comparison_rows(rows: list[dict[str, str]], expected: list[dict],
                          text: tuple[str, ...], numbers: tuple[str, ...]) -> None:
    """The rows of a violations or flips table, in the CLI's order."""
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        for column in text:
            assert row[column] == str(want[column]), (column, row, want)
        for column in numbers:
            assert close(row[column], want[column]), (column, row, want)


VIOLATION_TEXT = ("workload", "protocol", "k", "included", "including", "violation")
VIOLATION_NUMBERS = ("p_included_better", "confidence")
FLIP_TEXT = ("workload", "k", "a", "b", "protocol_a", "protocol_b", "resolved")
FLIP_NUMBERS = ("p_a_better_in_a", "p_a_better_in_b", "confidence_in_a", "confidence_in_b")


def check_verdicts(tables: dict[str, list[dict[str, str]]], space: dict,
                   comparison: dict) -> None:
    """Every verdict table of a report against the two commands' JSON."""
    check_space_rows(tables["space-verdicts"], space)
    check_comparison_rows(tables["inclusion-violations"], comparison["violations"],
                          VIOLATION_TEXT, VIOLATION_NUMBERS)
    check_comparison_rows(tables["rank-flips"], comparison["flips"], FLIP_TEXT, FLIP_NUMBERS)
