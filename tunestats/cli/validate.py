"""``tunestats validate STUDY``: list every problem; exit 1 if there is an error."""

from __future__ import annotations

import argparse
import sys
import warnings

from ..analysis.inclusion_graph import inclusion_graph
from ..errors import DataError, StudyValidationError, StudyWarning
from ..study import load_study
from ._options import add_study_argument

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="check a study and list every problem",
                            description="Check a study folder against the study format. "
                            "Prints one line per problem; exits 0 when valid, 1 when not.")
    add_study_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StudyWarning)
            study = load_study(args.study)
    except StudyValidationError as exc:
        for problem in exc.problems:
            print(f"{problem.severity}: {problem}")
        errors = sum(p.severity == "error" for p in exc.problems)
        print(f"tunestats: {args.study} is invalid: {errors} error(s)", file=sys.stderr)
        return 1
    for problem in study.problems:
        print(f"{problem.severity}: {problem}")
    if study.meta.inclusion is not None:  # what compare and check would refuse later
        try:
            inclusion_graph(study)
        except DataError as exc:
            print(f"error: {exc}")
            print(f"tunestats: {args.study} is invalid: 1 error(s)", file=sys.stderr)
            return 1
    print(f"{args.study}: valid ({len(study.trials)} trials, {len(study.pool_keys())} pools, "
          f"{len(study.problems)} warning(s))")
    return 0
