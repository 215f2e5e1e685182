"""AlgoPerf leaderboards: the benchmark's scoring rule, exactly.

The rule (AlgoPerf DOCUMENTATION.md "Scoring"; Dahl et al. 2023, §4.5; the
benchmark's ``scoring/performance_profile.py``), per ruleset:

1. **Time to target of a study.** Each trial's first evaluation whose
   validation target metric reaches the workload's target (``>=`` for
   metrics to maximise, ``<=`` to minimise; NaN never does). The study's
   time is that of the trial reaching it at the *earliest evaluation index*
   (ties: see below), read from the ``score``
   column (accumulated submission time); ``inf`` when no trial reaches it.
   Trials that reach it at the same index are told apart by their time
   (then by trial number): the benchmark takes the first in its directory
   listing (``os.listdir``, an order that depends on the file system), and
   the published v0.6 scores are those of the faster trial (shampoo's
   ``fastmri`` study 0, trials 2 and 5 at evaluation 7).
2. **Workload time**: the median over the studies (``inf`` counts as the
   largest value).
3. **Held-out variants** (workloads listed as ``held_out_workloads``): a
   variant's time is ``inf`` where its base workload's is.
4. **The 4× rule**, on every workload, variants included: a time more than
   ``tau_max`` (4) times the fastest submission's becomes ``inf``.
5. **Variants back onto their base**: the base workload's time is ``inf``
   where a variant's is.
6. **Profile** over the *declared base workloads only*:
   ``rho(tau) = #{w : t_w / min_s t_{s,w} <= tau} / |base workloads|`` (a
   workload without trials, or missed, counts in the denominator).
7. **Score**: ``(1 / (tau_max - 1)) * integral of rho over [1, tau_max]``,
   by the trapezoidal rule on ``n_points`` (100) linearly spaced points as
   the benchmark does (``integral="grid"``), or exactly
   (``integral="exact"``: ``mean_w max(0, tau_max - r_w) / (tau_max - 1)``).

The benchmark warns when a submission does not have every scored workload, a
workload the expected number of studies, or a study the expected number of
trials (5 in the external-tuning ruleset, 1 in self-tuning); these are
``notes`` here, and errors with ``strict=True``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, check_positive_int, check_real
from ..errors import DataError, ParameterError
from ..importers import algoperf
from ..importers.report import ImportReport
from ..study import Study
from ..study.schema import KEY

__all__ = ["INTEGRALS", "TRIALS_PER_STUDY", "Leaderboard", "leaderboard",
           "leaderboard_from_trials", "score_profile", "scored_times", "speedups",
           "study_times"]

#: Expected trials per study in each ruleset (the benchmark's counts).
TRIALS_PER_STUDY = {"external_tuning": 5, "self_tuning": 1}
#: How the profile is integrated: the benchmark's grid, or exactly.
INTEGRALS = ("grid", "exact")
#: Columns of the per-trial table :func:`leaderboard_from_trials` scores.
TRIAL_COLUMNS = ("ruleset", "submission", "workload", "study", "trial", "evals", "reach",
                 "time")
_TIME_COLUMNS = ("score", algoperf.TIME_COLUMN)


@dataclass(frozen=True)
class Leaderboard:
    """A scored leaderboard.

    Attributes
    ----------
    scores : DataFrame
        ``ruleset, rank, submission, score, solved, workloads``: the
        leaderboard (``solved``: base workloads with a finite scored time).
    times : DataFrame
        ``ruleset, submission, workload, base, metric, target, studies,
        time, scored_time, ratio, status``: per scored workload the median
        time over studies, the time after the held-out and 4× rules, its
        ratio to the fastest, and why it is infinite where it is.
    studies : DataFrame
        ``ruleset, submission, workload, study, trials, trial, eval, time``:
        each study's time to target and the trial and evaluation index that
        reached it (``trial`` and ``eval`` −1 when none did).
    profile : DataFrame
        ``ruleset, submission, tau, rho`` on the grid (and, with the exact
        integral, at every ratio as well).
    notes : tuple of str
        The benchmark's count warnings and everything left out, counted.
    integral : str
    tau_max : float
    """

    scores: pd.DataFrame
    times: pd.DataFrame
    studies: pd.DataFrame
    profile: pd.DataFrame
    notes: tuple[str, ...]
    integral: str
    tau_max: float

    def to_frame(self) -> pd.DataFrame:
        """The scores."""
        return self.scores


# -- per-trial times to target ---------------------------------------------------
def _first_reach(values: np.ndarray, target: float, maximize: bool) -> int:
    """Index of the first value that reaches ``target`` (−1 if none)."""
    with np.errstate(invalid="ignore"):
        hit = values >= target if maximize else values <= target
    where = np.flatnonzero(hit)
    return int(where[0]) if where.size else -1


def _trials_from_logs(root: Path, targets: algoperf.Targets, ruleset: str | None,
                      workers: int | None, notes: list[str]) -> pd.DataFrame:
    """The per-trial table straight from AlgoPerf logs: only the columns scored are
    read (Arrow's CSV reader, files with one header parsed together)."""
    report = ImportReport("algoperf", str(root))
    folders = algoperf.scan(root, report)
    notes.extend(str(s) for s in report.skipped)
    scored = set(targets.scored)
    unscored = sorted({f.workload for f in folders} - scored)
    if unscored:
        notes.append(f"workloads in the logs that the targets file does not score, left out: "
                     f"{', '.join(unscored)}")
    folders = [f for f in folders if f.workload in scored]
    has_hparams: dict[str | None, bool] = {}
    for f in folders:
        if not has_hparams.get(f.submission):
            has_hparams[f.submission] = (f.path / algoperf.HPARAMS_FILE).exists()
    columns = [[targets.workloads[f.workload].column, *_TIME_COLUMNS] for f in folders]
    tables = algoperf.read_tables([f.path / algoperf.EVAL_FILE for f in folders], columns,
                                  workers=workers)
    rows, nonfinite = [], []
    for f, table in zip(folders, tables, strict=True):
        target = targets.workloads[f.workload]
        evals, reach, time = 0, -1, np.inf
        if isinstance(table, Exception):
            notes.append(f"trial {f.path}: {table}; counted as not reaching the target")
        else:
            _, values, _ = table  # columns: target metric, score, accumulated time
            evals = len(values)
            if evals and not np.isfinite(values[:, 0]).all():
                nonfinite.append(f"{f.submission}/{f.workload}/study_{f.repeat}/trial_{f.trial}")
            if evals:
                reach = _first_reach(values[:, 0], target.value,
                                     target.metric.direction == "maximize")
                if reach >= 0:
                    score, accumulated = values[reach, 1], values[reach, 2]
                    time = float(score if np.isfinite(score) else accumulated)
        rows.append((algoperf.ruleset_of(has_hparams[f.submission], ruleset), f.submission,
                     f.workload, f.repeat, f.trial, evals, reach, time))
    if nonfinite:
        notes.append(f"{len(nonfinite)} trial(s) with non-finite values of their target metric "
                     "(never reaching the target there): " + ", ".join(nonfinite[:5])
                     + (" ..." if len(nonfinite) > 5 else ""))
    return pd.DataFrame(rows, columns=list(TRIAL_COLUMNS))


def _trials_from_study(study: Study, targets: algoperf.Targets, ruleset: str | None,
                       notes: list[str]) -> pd.DataFrame:
    """The per-trial table from a study's curves (``time_s`` as the time; protocols
    as rulesets, optimizers as submissions, repeats as studies)."""
    if "time_s" not in study.curves:
        raise DataError("the study's curves have no time_s column: a leaderboard scores "
                        "accumulated submission time")
    trials = study.trials[list(KEY)].astype({c: str for c in KEY[:3]})
    if ruleset is not None:
        trials = trials[trials["protocol"] == algoperf.PROTOCOLS[ruleset]]
    unscored = sorted(set(trials["workload"]) - set(targets.scored))
    if unscored:
        notes.append(f"workloads in the study that the targets file does not score, left out: "
                     f"{', '.join(unscored)}")
    trials = trials[trials["workload"].isin(targets.scored)].reset_index(drop=True)
    curves = study.curves
    groups = curves.groupby(list(KEY), observed=True, sort=False).indices
    rows = []
    for key in trials.itertuples(index=False, name=None):
        target = targets.workloads[key[0]]
        index = groups.get(key)
        evals, reach, time = 0, -1, np.inf
        if index is not None:
            index = index[np.argsort(curves["step"].to_numpy()[index], kind="stable")]
            evals = len(index)
            if target.metric.name in curves:
                values = curves[target.metric.name].to_numpy(dtype=float)[index]
                reach = _first_reach(values, target.value, target.metric.direction == "maximize")
                if reach >= 0:
                    time = float(curves["time_s"].to_numpy(dtype=float)[index[reach]])
        rows.append((key[1], key[2], key[0], key[3], key[4], evals, reach, time))
    return pd.DataFrame(rows, columns=list(TRIAL_COLUMNS))


# -- the rule --------------------------------------------------------------------
def _counts(trials: pd.DataFrame, targets: algoperf.Targets, n_studies: int | None,
            notes: list[str], strict: bool) -> None:
    """The benchmark's count warnings (errors when strict)."""
    found = []
    no_evals = trials[trials["evals"] == 0]
    if len(no_evals):
        notes.append(f"{len(no_evals)} trial(s) without evaluations (counted as not reaching "
                     "the target): " + ", ".join(
                         f"{r.submission}/{r.workload}/study_{r.study}/trial_{r.trial}"
                         for r in no_evals.head(5).itertuples()))
    for (ruleset, submission), block in trials.groupby(["ruleset", "submission"], sort=True):
        absent = [w for w in targets.scored if w not in set(block["workload"])]
        if absent:
            found.append(f"{ruleset}/{submission}: expected {len(targets.scored)} workloads, "
                         f"found {len(targets.scored) - len(absent)} (no trials of "
                         f"{', '.join(absent)}: infinite time)")
        expected_studies = n_studies or int(trials[trials["ruleset"] == ruleset].groupby(
            ["submission", "workload"])["study"].nunique().max())
        per_trial = TRIALS_PER_STUDY[ruleset]
        for workload, part in block.groupby("workload", sort=True):
            studies = part.groupby("study").size()
            if len(studies) != expected_studies:
                found.append(f"{ruleset}/{submission}/{workload}: expected {expected_studies} "
                             f"studies, found {len(studies)}")
            for study, count in studies.items():
                if count != per_trial:
                    found.append(f"{ruleset}/{submission}/{workload}/study_{study}: expected "
                                 f"{per_trial} trial(s), found {count}")
    if found and strict:
        raise DataError(f"strict leaderboard: {found[0]}"
                        + (f" (and {len(found) - 1} more count problems)" if len(found) > 1
                           else ""))
    notes.extend(found)


STUDY_KEYS = ("ruleset", "submission", "workload", "study")


def study_times(trials: pd.DataFrame, keys: Sequence[str] = STUDY_KEYS) -> pd.DataFrame:
    """Each study's time to target, by the benchmark's rule (step 1 of the module
    docstring): the trial reaching the target at the earliest evaluation.

    Parameters
    ----------
    trials : DataFrame
        One row per trial: ``keys``, ``trial``, ``reach`` (index of the first
        evaluation reaching the target, −1 if none) and ``time`` (the time
        there).
    keys : sequence of str
        The columns naming a study (default: ``ruleset, submission, workload,
        study``).

    Returns
    -------
    DataFrame
        ``keys, trials, trial, eval, time``: per study its number of trials,
        the trial and evaluation index that reached the target first (−1
        when none did) and its time (``inf`` then).
    """
    keys = list(keys)
    order = trials.assign(rank=np.where(trials["reach"] >= 0, trials["reach"], np.iinfo(
        np.int64).max)).sort_values([*keys, "rank", "time", "trial"], kind="stable")
    best = order.drop_duplicates(keys, keep="first")
    out = best[keys].copy()
    out["trials"] = order.groupby(keys, sort=False, observed=True).size().reindex(
        pd.MultiIndex.from_frame(best[keys])).to_numpy()
    reached = best["reach"].to_numpy() >= 0
    out["trial"] = np.where(reached, best["trial"], -1)
    out["eval"] = np.where(reached, best["reach"], -1)
    out["time"] = np.where(reached, best["time"], np.inf)
    return out.reset_index(drop=True)


def scored_times(times: np.ndarray, variants: Sequence[tuple[int, int, str]], tau_max: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The benchmark's steps 3–5 (module docstring) on median times.

    Parameters
    ----------
    times : ndarray, shape (submissions, workloads)
        Median time to target; ``inf`` where missed, NaN where a submission
        has no trials of the workload.
    variants : sequence of (int, int, str)
        ``(variant column, base column, variant name)`` of each held-out
        variant.
    tau_max : float
        The factor of the "slower than the fastest" rule.

    Returns
    -------
    scored : ndarray
        The times after the rules (``inf`` where missed or ruled out).
    status : ndarray of str
        Why each time is what it is (``reached``, ``no trials``, ``missed
        target``, ``base workload missed``, ``> 4x the fastest``, ``variant
        <name> missed``).
    slow : ndarray of bool
        Finite times that the ``tau_max`` rule made infinite.
    """
    t = np.array(times, dtype=float)
    status = np.where(np.isnan(t), "no trials", np.where(np.isinf(t), "missed target",
                                                         "reached")).astype(object)
    t = np.where(np.isnan(t), np.inf, t)
    for v, b, _ in variants:  # the variant is infinite where its base is
        hit = np.isinf(t[:, b]) & np.isfinite(t[:, v])
        t[hit, v] = np.inf
        status[hit, v] = "base workload missed"
    with np.errstate(invalid="ignore"):
        slow = (t > tau_max * t.min(axis=0)) & np.isfinite(t)
    status[slow] = f"> {tau_max:g}x the fastest"
    t[slow] = np.inf
    for v, b, name in variants:  # the base is infinite where a variant is
        hit = np.isinf(t[:, v]) & np.isfinite(t[:, b])
        t[hit, b] = np.inf
        status[hit, b] = f"variant {name} missed"
    return t, status, slow


def score_profile(ratio: np.ndarray, tau_max: float, integral: str, n_points: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores, the tau values and rho (algorithms × tau) of ratios (algorithms ×
    workloads; ``inf`` where missed): AlgoPerf's trapezoidal rule on ``n_points``
    (``integral="grid"``) or the exact integral, both divided by ``tau_max - 1``.
    With the exact integral rho is given on the grid and at every ratio."""
    grid = np.linspace(1.0, tau_max, n_points)
    if integral == "grid":
        tau = grid
        rho = (ratio[:, None, :] <= tau[None, :, None]).mean(axis=2)
        area = ((rho[:, 1:] + rho[:, :-1]) / 2 * np.diff(tau)).sum(axis=1)
        return area / (tau_max - 1), tau, rho
    inside = ratio[np.isfinite(ratio) & (ratio <= tau_max)]
    tau = np.unique(np.concatenate([grid, inside]))
    rho = (ratio[:, None, :] <= tau[None, :, None]).mean(axis=2)
    area = np.where(ratio <= tau_max, tau_max - np.maximum(ratio, 1.0), 0.0).mean(axis=1)
    return area / (tau_max - 1), tau, rho


def _rank(scores: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest score; ties share the best rank."""
    return pd.Series(scores).rank(method="min", ascending=False).to_numpy(dtype=int)


def leaderboard_from_trials(trials: pd.DataFrame, targets: Any, *, integral: str = "grid",
                            tau_max: float = 4.0, n_points: int = 100, strict: bool = False,
                            n_studies: int | None = None,
                            notes: Iterable[str] = ()) -> Leaderboard:
    """Score a leaderboard from per-trial times to target.

    Parameters
    ----------
    trials : DataFrame
        One row per trial: ``ruleset, submission, workload, study, trial,
        evals`` (number of evaluations), ``reach`` (index of the first
        evaluation that reaches the target, −1 if none) and ``time`` (the
        time at that evaluation).
    targets : Targets, str, Path or mapping
        The benchmark's targets file (see :func:`tunestats.importers.algoperf.read_targets`).
    integral, tau_max, n_points, strict, n_studies
        As in :func:`leaderboard`.
    notes : iterable of str
        Notes from reading, kept in the result.

    Returns
    -------
    Leaderboard
    """
    targets = targets if isinstance(targets, algoperf.Targets) else algoperf.read_targets(
        targets)
    check_choice("integral", integral, INTEGRALS)
    tau_max = check_real("tau_max", tau_max, low=1.0, low_open=True)
    n_points = check_positive_int("n_points", n_points)
    n_studies = None if n_studies is None else check_positive_int("n_studies", n_studies)
    if not isinstance(strict, bool):
        raise ParameterError(f"`strict` must be True or False; got {strict!r}.")
    missing = [c for c in TRIAL_COLUMNS if c not in trials]
    if missing:
        raise ParameterError(f"`trials` lacks the column(s) {', '.join(missing)}.")
    notes = list(notes)
    if not len(trials):
        raise DataError("no trial of a scored workload: nothing to score (the targets file "
                        f"scores {', '.join(targets.scored)})")
    _counts(trials, targets, n_studies, notes, strict)
    studies = study_times(trials)
    medians = studies.groupby(["ruleset", "submission", "workload"], sort=True)["time"].agg(
        ["median", "size"])
    score_rows, time_parts, profile_parts = [], [], []
    absent = [w for w in targets.base_workloads if w not in set(trials["workload"])]
    if absent:
        notes.append(f"base workload(s) without trials of any submission, counted as missed by "
                     f"all: {', '.join(absent)}")
    for ruleset in sorted(set(studies["ruleset"])):
        block = medians.loc[ruleset]
        submissions = sorted(set(block.index.get_level_values("submission")))
        raw = block["median"].unstack("workload").reindex(index=submissions,
                                                          columns=list(targets.scored))
        n_seen = block["size"].unstack("workload").reindex(index=submissions,
                                                           columns=list(targets.scored))
        column = {w: i for i, w in enumerate(targets.scored)}
        pairs = [(column[v], column[targets.base_of(v)], v) for v in targets.held_out_workloads]
        t, status, _ = scored_times(raw.to_numpy(dtype=float), pairs, tau_max)
        best = t.min(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(np.isfinite(t), t / best, np.inf)
        base = [column[w] for w in targets.base_workloads]
        scores, tau, rho = score_profile(ratio[:, base], tau_max, integral, n_points)
        solved = np.isfinite(ratio[:, base]).sum(axis=1)
        ranks = _rank(scores)
        for i, name in enumerate(submissions):
            score_rows.append({"ruleset": ruleset, "rank": int(ranks[i]), "submission": name,
                               "score": float(scores[i]), "solved": int(solved[i]),
                               "workloads": len(base)})
            profile_parts.append(pd.DataFrame({"ruleset": ruleset, "submission": name,
                                               "tau": tau, "rho": rho[i]}))
        n = len(submissions)
        time_parts.append(pd.DataFrame({
            "ruleset": ruleset, "submission": np.repeat(submissions, len(targets.scored)),
            "workload": np.tile(list(targets.scored), n),
            "base": np.tile([targets.base_of(w) for w in targets.scored], n),
            "metric": np.tile([targets.workloads[w].metric.name for w in targets.scored], n),
            "target": np.tile([targets.workloads[w].value for w in targets.scored], n),
            "studies": np.nan_to_num(n_seen.to_numpy(dtype=float), nan=0).astype(int).ravel(),
            "time": raw.to_numpy(dtype=float).ravel(), "scored_time": t.ravel(),
            "ratio": ratio.ravel(), "status": status.ravel()}))
    scores = pd.DataFrame(score_rows).sort_values(["ruleset", "rank", "submission"],
                                                   ignore_index=True)
    return Leaderboard(scores, pd.concat(time_parts, ignore_index=True), studies,
                       pd.concat(profile_parts, ignore_index=True), tuple(notes), integral,
                       tau_max)


def leaderboard(source: Any, *, targets: Any, ruleset: str | None = None,
                integral: str = "grid", tau_max: float = 4.0, n_points: int = 100,
                strict: bool = False, n_studies: int | None = None,
                workers: int | None = None) -> Leaderboard:
    """Recompute an AlgoPerf leaderboard from its logs, as the benchmark scores it.

    Parameters
    ----------
    source : str, Path or Study
        AlgoPerf logs (``<submission>/study_<i>/<workload>_<framework>/trial_<j>/``;
        a ruleset folder such as ``external_tuning/``, or a folder holding
        several rulesets), or an imported study (protocols as rulesets,
        optimizers as submissions, repeats as studies, ``time_s`` as time).
    targets : str, Path, mapping or Targets
        The benchmark's ``workload_targets*.json``, as it is.
    ruleset : {"external", "self"}, optional
        Score only this ruleset (and take every submission as in it);
        default: each submission's ruleset as the logs say (``hparams.json``
        present: external tuning), each ruleset scored on its own.
    integral : {"grid", "exact"}
        The benchmark's trapezoidal rule on ``n_points`` points, or the exact
        integral of the step function.
    tau_max : float
        The end of the profile and the factor of the "slower than the fastest"
        rule (the benchmark's 4).
    n_points : int
        Points of the grid (the benchmark's 100).
    strict : bool
        Raise on the benchmark's count warnings (workloads per submission,
        studies per workload, trials per study) instead of noting them.
    n_studies : int, optional
        Studies every workload must have (default: the most any workload has).
    workers : int, optional
        Processes reading the logs (default 1; see :func:`~tunestats.importers.algoperf.read_tables`).

    Returns
    -------
    Leaderboard
        Scores, times, per-study times, the profile and the notes.

    Notes
    -----
    See the module docstring for the rule, step by step. With ratios
    :math:`r_{s,w}` over the base workloads :math:`W` and the grid
    :math:`\\tau_1 = 1 < \\dots < \\tau_n = \\tau_{max}`,

    .. math::

        \\rho_s(\\tau) = \\frac{1}{|W|} \\#\\{w \\in W : r_{s,w} \\le \\tau\\}, \\qquad
        \\text{score}_s = \\frac{1}{\\tau_{max} - 1} \\sum_{i=1}^{n-1}
        \\frac{\\rho_s(\\tau_i) + \\rho_s(\\tau_{i+1})}{2} (\\tau_{i+1} - \\tau_i).

    References
    ----------
    .. [1] Dahl, G. E. et al. (2023). Benchmarking Neural Network Training
       Algorithms. arXiv:2306.07179, Section 4.5.
    .. [2] Dolan, E. D. & Moré, J. J. (2002). Benchmarking optimization
       software with performance profiles. Math. Programming 91, 201–213.

    Examples
    --------
    >>> board = leaderboard("logs/external_tuning",
    ...                     targets="workload_targets_v06.json")  # doctest: +SKIP
    >>> board.scores[["rank", "submission", "score"]]  # doctest: +SKIP
    """
    targets = targets if isinstance(targets, algoperf.Targets) else algoperf.read_targets(
        targets)
    if ruleset is not None:
        check_choice("ruleset", ruleset, algoperf.PROTOCOLS)
    notes: list[str] = []
    if isinstance(source, Study):
        trials = _trials_from_study(source, targets, ruleset, notes)
    elif isinstance(source, (str, Path)):
        root = Path(source)
        if not root.is_dir():
            raise DataError(f"{root}: no such AlgoPerf logs folder")
        trials = _trials_from_logs(root, targets, ruleset, workers, notes)
    else:
        raise ParameterError("`source` must be a logs folder or a Study; got "
                             f"{type(source).__name__}.")
    return leaderboard_from_trials(trials, targets, integral=integral, tau_max=tau_max,
                                   n_points=n_points, strict=strict, n_studies=n_studies,
                                   notes=notes)


def speedups(board: Leaderboard, reference: str, *,
             budgets: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each submission's speedup over a reference, as the benchmark computes it.

    Parameters
    ----------
    board : Leaderboard
    reference : str
        The reference submission (in every ruleset scored).
    budgets : mapping of str to float, optional
        Base workload → runtime budget (seconds, external-tuning ruleset; 3×
        for self-tuning). A missed target counts as the budget + 1 s, as the
        benchmark's ``compute_speedups``; without budgets, workloads where
        either submission missed are left out (counted).

    Returns
    -------
    DataFrame
        ``ruleset, submission, reference, speedup, workloads, left_out``:
        ``speedup`` is the geometric mean over base workloads of the
        submission's median time over the reference's (below 1: faster).
    """
    if not isinstance(board, Leaderboard):
        raise ParameterError(f"`board` must be a Leaderboard; got {type(board).__name__}.")
    times = board.times[board.times["workload"] == board.times["base"]]
    rows = []
    for ruleset, block in times.groupby("ruleset", sort=True):
        wide = block.pivot(index="workload", columns="submission", values="time")
        if reference not in wide:
            raise ParameterError(f"`reference` {reference!r} is not a submission of {ruleset}; "
                                 f"it has {', '.join(wide.columns)}.")
        factor = 3.0 if ruleset == "self_tuning" else 1.0
        if budgets is not None:
            lacking = [w for w in wide.index if w not in budgets]
            if lacking:
                raise ParameterError(f"`budgets` has no budget for {', '.join(lacking)}.")
            cap = np.array([factor * float(budgets[w]) + 1.0 for w in wide.index])
            values = wide.to_numpy(dtype=float)
            wide = pd.DataFrame(np.where(np.isfinite(values), values, cap[:, None]),
                                index=wide.index, columns=wide.columns)
        for name in wide.columns:
            if name == reference:
                continue
            ratio = (wide[name] / wide[reference]).to_numpy(dtype=float)
            kept = np.isfinite(ratio) & (ratio > 0)
            rows.append({"ruleset": ruleset, "submission": name, "reference": reference,
                         "speedup": float(np.exp(np.log(ratio[kept]).mean())) if kept.any()
                         else np.nan, "workloads": int(kept.sum()),
                         "left_out": int((~kept).sum())})
    return pd.DataFrame(rows, columns=["ruleset", "submission", "reference", "speedup",
                                       "workloads", "left_out"])
