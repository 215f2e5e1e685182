"""The README's Python example runs as printed (against the bundled study)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    return block


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_python_example_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    if not (ROOT / "data" / "study" / "study.json").exists():
        pytest.skip("no bundled study")
    code = _python_section().replace('"/tmp/adam-only"', repr(str(tmp_path / "adam-only")))
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "README.md (## Python)", "exec"), namespace)
    out = capsys.readouterr().out
    assert "768 trials in 24 pools" in out
    assert (tmp_path / "adam-only" / "trials.csv").exists()
    assert len(namespace["points"]) == 8
    # the tiny study of the example: best of 2 draws with replacement from errors
    # {0.08, 0.05, 0.9}: P(best = 0.05) = 1 − (2/3)², P(0.08) = (2/3)² − (1/3)², P(0.9) = (1/3)²
    best_of_k = namespace["tunestats"].best_of_k
    row = best_of_k(namespace["mine"], select="valid_error", report="valid_error", k=2,
                    ci=None).iloc[0]
    expected = 0.05 * (1 - 4 / 9) + 0.08 * (4 / 9 - 1 / 9) + 0.9 * (1 / 9)
    assert row["mean"] == pytest.approx(expected, rel=1e-12)
