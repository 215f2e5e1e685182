"""The CLI is derived from the API: defaults, one ``--k`` syntax, one replace flag,
errors in the CLI's words."""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path

import pytest

from tunestats.cli import compare as compare_verb
from tunestats.cli._api import shown_default
from tunestats.cli.main import build_parser, main

#: The verbs that call an analysis (or rendering) function of the API.
API_VERBS = ("best-of-k", "compare", "steps-to-target", "profile", "check-space",
             "leaderboard", "figures", "report")
#: What each verb needs on the command line besides its options.
POSITIONAL = {"leaderboard": ["logs", "--targets", "t.json"]}
BUDGET_VERBS = ("best-of-k", "compare", "steps-to-target")


def verbs() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def api_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    api = parser.get_default("api")
    return [a for a in parser._actions if a.dest in api.flags]


def parse(verb: str, *options: str) -> argparse.Namespace:
    return build_parser().parse_args([verb, *POSITIONAL.get(verb, ["study"]), *options])


@pytest.mark.parametrize("verb", API_VERBS)
def test_every_option_default_is_the_api_signature_default(verb: str) -> None:
    parser = verbs()[verb]
    api = parser.get_default("api")
    assert api is not None, f"{verb} does not declare its API options"
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
