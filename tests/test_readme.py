"""The README runs as printed: its Python example against the bundled study, and (marked
``slow``: minutes) every command and Python block in a copy of a fresh checkout."""

from __future__ import annotations

import contextlib
import re
import shlex
import shutil
from pathlib import Path

import pytest

import tunestats
from tunestats.cli.main import main

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
                    confidence=None).iloc[0]
    expected = 0.05 * (1 - 4 / 9) + 0.08 * (4 / 9 - 1 / 9) + 0.9 * (1 / 9)
    assert row["mean"] == pytest.approx(expected, rel=1e-12)


# -- every command and Python block of the README ------------------------------------

#: Commands not run here, and why: `make` builds the environment this test runs in, the
#: runner's commands train networks for minutes (tests/runner runs the runner), and
#: `my.toml`/cluster addresses are the reader's own.
NOT_RUN = ("make ", ". .venv/bin/activate", "tunestats run ")


def _blocks(kind: str) -> list[tuple[str, str]]:
    """(section title, block) for every ``kind`` block of the README, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for section in text.split("\n## ")[1:]:
        title = section.split("\n", 1)[0]
        out += [(title, block) for block in re.findall(rf"```{kind}\n(.*?)```", section,
                                                        flags=re.S)]
    return out


def _commands() -> list[str]:
    commands = []
    for _, block in _blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith(NOT_RUN):
                commands += [part.strip() for part in line.split("&&")]
    return commands


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch) -> Path:
    """A copy of what a fresh clone holds under data/, as the working folder; the README's
    /tmp/... paths are redirected into it."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "tmp").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _here(text: str, root: Path) -> str:
    return text.replace("/tmp/", f"{root}/tmp/")


def test_readme_lists_the_commands_it_runs() -> None:
    commands = _commands()
    verbs = {shlex.split(c)[1] for c in commands if c.startswith("tunestats ")}
    assert {"info", "validate", "convert", "import", "best-of-k", "compare", "steps-to-target",
            "profile", "check-space", "figures"} <= verbs
    assert all(c.startswith("tunestats ") for c in commands), commands


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_every_readme_command_runs(checkout: Path, capsys) -> None:
    for command in _commands():
        argv = shlex.split(_here(command, checkout))[1:]
        with contextlib.suppress(SystemExit):  # --version exits through argparse
            code = main(argv)
            allowed = (0, 1) if argv[0] == "check-space" else (0,)  # 1: not adequate
            assert code in allowed, f"{command}: exit {code}\n{capsys.readouterr().err}"
    capsys.readouterr()
    # what the commands wrote is there: a converted study, imports, figures
    assert tunestats.load_study(checkout / "tmp" / "s").trials.shape[0] == 768
    for name in ("o", "ap", "op", "wb", "rt", "do", "sh", "gen"):
        assert (checkout / "tmp" / name / "study.json").exists(), name
    assert len(list((checkout / "tmp" / "figs").glob("*.png"))) >= 15


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_every_readme_python_block_runs(checkout: Path, capsys) -> None:
    namespace: dict = {}  # the blocks after `## Python` build on its `study`
    for title, block in _blocks("python"):
        if "dask_jobqueue" in block:  # needs a SLURM or PBS cluster
            continue
        code = _here(block, checkout)
        exec(compile(code, f"README.md (## {title})", "exec"), namespace)
    out = capsys.readouterr().out
    assert "768 trials in 24 pools" in out
    assert "fastmri/external_tuning/baseline" in out  # the import report of the sample logs


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_every_import_format_has_an_example_that_runs(checkout: Path, capsys) -> None:
    """Each FORMAT the README names has a `tunestats import FORMAT` example on a sample
    shipped under data/examples/, and the example imports trials as printed."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.search(r"\(FORMAT: (.*?)\;", text, flags=re.S).group(1)
    formats = set(re.findall(r"`(\w+)`", listed))
    assert {"generic", "algoperf", "deepobs", "optuna", "wandb", "raytune", "shallue"} <= formats
    imports = [c for c in _commands() if c.startswith("tunestats import ")]
    assert {shlex.split(c)[2] for c in imports} == formats
    for command in imports:
        argv = shlex.split(_here(command, checkout))[1:]
        source = argv[2].removeprefix("sqlite:///")
        assert source.startswith("data/examples/") and Path(source).exists(), command
        assert main(argv) == 0, f"{command}\n{capsys.readouterr().err}"
        out = argv[argv.index("--out") + 1]
        assert len(tunestats.load_study(out).trials) > 0, command
    capsys.readouterr()
