"""The CLI is derived from the API: defaults, one ``--k`` syntax, one replace flag,
errors in the CLI's words."""

from __future__ import annotations

import argparse
import functools
import inspect
from pathlib import Path

import pytest

from tunestats.cli import compare as compare_verb
from tunestats.cli import convert as convert_verb
from tunestats.cli import run as run_verb
from tunestats.cli._api import shown_default
from tunestats.cli.main import build_parser, main
from tunestats.errors import MissingDependencyError
from tunestats.importers import FORMATS

#: The verbs that call a function of the API (an analysis, a renderer, the runner, an
#: importer, the study writer): their options are that function's parameters.
API_VERBS = ("best-of-k", "compare", "steps-to-target", "profile", "check-space",
             "leaderboard", "figures", "report", "run", "import", "convert")
#: The verbs that take no option of the API (only a study to read).
NO_API_VERBS = ("info", "validate")
#: Options of the command line alone (what to read and write, how to print, which of a
#: verb's functions to call): none of them is a parameter of a verb's API function.
CLI_ONLY = {"help", "debug", "force", "json", "out", "figure", "study", "config", "src",
            "dst", "logs", "source_format", "per_trial", "grid", "all_flips"}
#: What each verb needs on the command line besides its options.
POSITIONAL = {"leaderboard": ["logs", "--targets", "t.json"],
              "run": ["study.toml", "--out", "out"],
              "import": ["generic", "logs.csv", "--out", "out"],
              "convert": ["src", "dst"]}
BUDGET_VERBS = ("best-of-k", "compare", "steps-to-target")


def verbs() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def api_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    api = parser.get_default("api")
    return [a for a in parser._actions if a.dest in api.flags]


def parse(verb: str, *options: str) -> argparse.Namespace:
    return build_parser().parse_args([verb, *POSITIONAL.get(verb, ["study"]), *options])


def test_every_verb_is_classified() -> None:
    assert set(verbs()) == set(API_VERBS) | set(NO_API_VERBS)


@pytest.mark.parametrize("verb", [*API_VERBS, *NO_API_VERBS])
def test_no_option_has_a_default_of_its_own_but_the_cli_only_ones(verb: str) -> None:
    """Every argument that is not an API option is one of the command line alone, and
    where an API function of the verb has a parameter of that name (``out``, the study),
    the parameter has no default: a hand-copied API default cannot hide behind a
    CLI-only name."""
    if verb == "run":
        pytest.importorskip("torch")
    parser = verbs()[verb]
    api = parser.get_default("api")
    flags = set(api.flags) if api is not None else set()
    own = {a.dest for a in parser._actions if a.dest not in flags}
    assert own <= CLI_ONLY, (verb, own - CLI_ONLY)
    for function in api.functions if api is not None else ():
        for name, parameter in inspect.signature(function).parameters.items():
            if name in own:
                assert parameter.default is inspect.Parameter.empty, (verb, name)


@pytest.mark.parametrize("verb", API_VERBS)
def test_every_option_default_is_the_api_signature_default(verb: str) -> None:
    if verb == "run":
        pytest.importorskip("torch")  # the runner's signature needs the runner extra
    parser = verbs()[verb]
    api = parser.get_default("api")
    assert api is not None, f"{verb} does not declare its API options"
    parser.format_help()  # the help shows the defaults (read lazily for `run`)
    actions = api_actions(parser)
    assert actions and {a.dest for a in actions} == set(api.flags)
    for action in actions:
        defaults = {inspect.signature(f).parameters[action.dest].default
                    for f in api.functions if action.dest in inspect.signature(f).parameters}
        assert defaults, f"{verb} {action.option_strings[0]}: not an API parameter"
        # one default per option, whichever of the verb's functions takes it
        assert len({repr(d) for d in defaults}) == 1, (verb, action.dest, defaults)
        default = defaults.pop()
        # no default of its own: an option not given is absent, so the API's applies
        assert action.default is argparse.SUPPRESS, (verb, action.option_strings)
        if isinstance(action, argparse._StoreConstAction):  # store_true/false: flips it
            assert action.const is (not default), (verb, action.option_strings)
        elif default is not None and default is not inspect.Parameter.empty:
            assert f"(default: {shown_default(default)})" in action.help, (verb, action.help)
    # parsed with no option, a verb passes its functions nothing: every default the API's
    args = parse(verb)
    for function in api.functions:
        given = api.kwargs(args, function)
        assert given == ({"targets": Path("t.json")} if verb == "leaderboard" else {})


def test_a_verb_passes_only_what_the_user_gave(study_dir: Path, monkeypatch) -> None:
    calls = []

    def recorder(study, **kwargs):
        calls.append(kwargs)
        raise KeyboardInterrupt  # stop before printing

    monkeypatch.setattr(compare_verb, "compare_protocols", recorder)
    assert main(["compare", str(study_dir)]) == 130
    assert main(["compare", str(study_dir), "--k", "1,4", "--no-replace", "--resamples", "7",
                 "--protocol", "paper"]) == 130
    assert calls == [{}, {"k": [1, 4], "replace": False, "n_resamples": 7,
                          "protocols": ["paper"]}]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_import_options_are_each_formats_read_parameters(fmt: str, tmp_path: Path,
                                                         monkeypatch) -> None:
    """Per format: each option of its ``read`` is a CLI option with the same default, and
    ``import FMT`` with no option passes the importer nothing (its defaults apply)."""
    api = verbs()["import"].get_default("api")
    read = FORMATS[fmt].read
    own = {name: p.default for name, p in inspect.signature(read).parameters.items()
           if p.kind is inspect.Parameter.KEYWORD_ONLY}
    for name, default in own.items():
        assert name in api.flags, (fmt, name)
        assert repr(api.default(name)) == repr(default), (fmt, name)
    calls = []

    @functools.wraps(read)  # the signature the verb checks options against
    def recorder(src, **kwargs):
        calls.append(kwargs)
        raise KeyboardInterrupt  # stop before writing

    monkeypatch.setattr(FORMATS[fmt], "read", recorder)
    out = str(tmp_path / "out")
    assert main(["import", fmt, "logs", "--out", out]) == 130
    assert main(["import", fmt, "logs", "--out", out, "--strict", "--protocol", "p",
                 "--set", "workload=w", "--map", "trial=a,b", "--to", "csv"]) == 130
    assert [sorted(c) for c in calls] == [["progress"], ["constants", "mapping", "progress",
                                                         "protocol", "strict"]]
    assert calls[1]["mapping"] == {"trial": ["a", "b"]} and calls[1]["strict"] is True
    assert calls[1]["constants"] == {"workload": "w"}  # --to goes to the writer, not read


def test_import_refuses_an_option_of_another_format(tmp_path: Path, capsys) -> None:
    assert main(["import", "deepobs", "logs", "--out", str(tmp_path / "o"), "--ruleset",
                 "self"]) == 2
    assert "`--ruleset` does not apply to the deepobs format" in capsys.readouterr().err


def test_convert_passes_only_what_the_user_gave(study_dir: Path, tmp_path: Path,
                                                monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(convert_verb, "save_study",
                        lambda study, path, **kwargs: calls.append(kwargs))
    assert main(["convert", str(study_dir), str(tmp_path / "a")]) == 0
    assert main(["convert", str(study_dir), str(tmp_path / "b"), "--to", "jsonl"]) == 0
    assert calls == [{}, {"format": "jsonl"}]


def test_run_passes_only_what_the_user_gave(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("torch")
    from tunestats.runner import config, execute

    calls = []

    @functools.wraps(execute.run_study)  # the signature the verb checks options against
    def recorder(cfg, out, **kwargs):
        calls.append(kwargs)
        raise KeyboardInterrupt  # stop before running

    monkeypatch.setattr(config, "load_config", lambda path: None)
    monkeypatch.setattr(execute, "run_study", recorder)
    out = str(tmp_path / "out")
    assert main(["run", "study.toml", "--out", out]) == 130
    assert main(["run", "study.toml", "--out", out, "--threads", "2", "--no-progress",
                 "--fail-fast", "--workers", "3"]) == 130
    command = f"tunestats run study.toml --out {out}"
    assert calls == [{"command": command, "config_file": "study.toml"},
                     {"command": command, "config_file": "study.toml", "threads": 2,
                      "progress": False, "fail_fast": True, "workers": 3}]


def test_run_without_the_runner_extra_still_has_help(monkeypatch, capsys) -> None:
    def missing():
        raise MissingDependencyError("this needs the optional dependency 'torch'; install it "
                                     "with: pip install 'tunestats[runner]'")

    monkeypatch.setattr(run_verb, "_api", missing)
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["run", "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and "--threads" in out and "(default: 1)" not in out
    assert "'tunestats[runner]'" in out  # the verb's description says what to install
    assert main(["run", "study.toml", "--out", "out"]) == 2
    assert "install it with: pip install 'tunestats[runner]'" in capsys.readouterr().err


def test_shown_default_writes_numbers_as_typed() -> None:
    assert shown_default((0.05, 0.5, 0.95)) == "0.05,0.5,0.95"
    assert shown_default(10_000) == "10000" and shown_default(0.1) == "0.1"
    assert shown_default("worst") == "worst"


@pytest.mark.parametrize("verb", BUDGET_VERBS)
def test_one_budget_syntax_everywhere(verb: str) -> None:
    assert parse(verb, "--k", "1,4,16").k == [1, 4, 16]
    assert parse(verb, "--k", "1,4", "--k", "16").k == [1, 4, 16]  # a repeat adds budgets
    assert parse(verb, "--k", "8").k == [8]


@pytest.mark.parametrize("verb", BUDGET_VERBS)
def test_one_replace_flag_everywhere(verb: str, capsys) -> None:
    assert parse(verb, "--no-replace").replace is False
    assert parse(verb, "--replace").replace is True
    assert not hasattr(parse(verb), "replace")  # the API's default applies
    with pytest.raises(SystemExit) as info:
        parse(verb, "--without-replacement")
    assert info.value.code == 2
    capsys.readouterr()


@pytest.mark.parametrize(("argv", "message"), [
    (["best-of-k", "--method", "bootstrap", "--resamples", "0"],
     "`--resamples` must be a positive integer; got 0."),
    (["best-of-k", "--confidence", "1.5"], "`--confidence`"),
    (["best-of-k", "--quantiles", "0.5,2"], "`--quantiles`"),
    (["compare", "--resamples", "0"], "`--resamples` must be a positive integer; got 0."),
    (["compare", "--alpha", "2"], "`--alpha`"),
    (["check-space", "--top-q", "2"], "`--top-q`"),
    (["check-space", "--resamples", "0"], "`--resamples`"),
    (["steps-to-target", "--per-trial", "--k", "2"], "`--k` does not apply with --per-trial."),
    (["steps-to-target", "--grid", "--k", "1,2"], "`--k` takes one budget with --grid; got 1,2."),
    (["profile", "--tau-max", "0.5"], "`--tau-max`"),
])
def test_errors_are_in_cli_words(study_dir: Path, argv, message, capsys) -> None:
    verb, *options = argv
    assert main([verb, str(study_dir), *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tunestats: error: ") and err.count("\n") == 1
    assert message in err, err
    flags = verbs()[verb].get_default("api").flags
    assert not any(f"`{name}`" in err for name in flags), err  # no API name leaks
