"""The report's sections other than the figures: summary, verdicts, tables.

Each section reads the analyses' public API through :class:`Analyses`, which runs
each analysis once with the command line's defaults (so the page shows what
``tunestats compare --json`` and ``tunestats check-space --json`` print) and keeps
the error of an analysis that does not apply, for the section to say in one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cached_property
from html import escape
from typing import Any

import pandas as pd

from .._html import format_value, html_table
from ..analysis import (
    PerformanceProfile,
    ProtocolComparison,
    SpaceCheck,
    best_of_k,
    performance_profile,
)
from ..errors import TunestatsError
from ..figures import NotApplicable
from ..figures._facets import SEED
from ..figures._facets import Analyses as FigureAnalyses
from ..importers import import_report
from ..study import Study
from ..study.schema import FINAL

__all__ = ["SEED", "Analyses", "summary_section", "tables_section", "unavailable",
           "verdicts_section"]

#: Rows of a table shown on the page (its CSV download has every row).
SHOWN_ROWS = 200
#: The columns of the search-space verdict table, one row per pool.
SPACE_COLUMNS = ["workload", "protocol", "optimizer", "verdict", "budget", "flagged sides",
                 "proposed ranges"]


def unavailable(reason: str) -> str:
    """One line saying why a part of the report is not there.

    Parameters
    ----------
    reason : str
        Why (whitespace collapsed to single spaces, escaped).

    Returns
    -------
    str
        A ``<p class="unavailable">`` element.
    """
    return f'<p class="unavailable">{escape(" ".join(str(reason).split()))}</p>'


class Analyses(FigureAnalyses):
    """The analyses behind the report, each run once (lazily) with the CLI's defaults.

    The figures' analyses of the study (:class:`tunestats.figures._facets.Analyses`),
    so that the verdicts, the tables and the figures of one report share each
    computation; each attribute is the analysis' result, or the
    :class:`TunestatsError` / :class:`NotApplicable` it raised.

    Parameters
    ----------
    study : Study
        The study the analyses run on.
    """

    @staticmethod
    def _run(compute: Callable[[], Any]) -> Any:
        try:
            return compute()
        except (TunestatsError, NotApplicable) as exc:
            return exc

    @cached_property
    def space(self) -> SpaceCheck | Exception:
        return self._run(self.space_check)

    @cached_property
    def comparison(self) -> ProtocolComparison | Exception:
        return self._run(self.protocol_comparison)

    @cached_property
    def profile(self) -> PerformanceProfile | Exception:
        if not self.study.targets:
            return NotApplicable("the study declares no targets")
        # the figure's, with the defaults: time_s by AlgoPerf's rule for AlgoPerf logs
        # (what the benchmark scores), else steps
        return self._run(lambda: self(performance_profile))

    @cached_property
    def best_of_k(self) -> pd.DataFrame | Exception:
        metric = self.study.headline_metric().name
        return self._run(lambda: self(best_of_k, select=metric, report=metric,
                                      confidence=None))

    @cached_property
    def pools(self) -> pd.DataFrame:
        """:meth:`Study.summary`: one row per pool."""
        return self(Study.summary)

    def prepare_tables(self) -> None:
        """Compute the analyses only the tables read (a worker of the figures does,
        where a core would otherwise wait; see :func:`tables_section`)."""
        self.best_of_k  # noqa: B018 - computed for its cache
        self.pools  # noqa: B018


# -- summary ------------------------------------------------------------------------

def _names(values: Any) -> str:
    return ", ".join(sorted(str(v) for v in pd.unique(values)))


def workload_table(study: Study) -> pd.DataFrame:
    """One row per workload: trials, the metric of each role (headline validation,
    test, train), the metrics with final values, targets."""
    rows = []
    finals = [c for c in study.trials.columns if c.startswith(FINAL)]
    for workload, trials in study.trials.groupby("workload", observed=True, sort=True):
        roles = study.workload_metrics(str(workload))
        logged = [c[len(FINAL):] for c in finals if trials[c].notna().any()]
        targets = study.targets.get(str(workload), {})
        rows.append({"workload": str(workload), "trials": len(trials),
                     "protocols": _names(trials["protocol"]),
                     "optimizers": _names(trials["optimizer"]),
                     **{f"{role} metric": getattr(roles, role) or ""
                        for role in ("valid", "test", "train")},
                     "final metrics (direction)": ", ".join(
                         f"{m} ({study.metrics[m].direction})" for m in logged),
                     "targets": ", ".join(f"{m} {format_value(v)}" for m, v in targets.items())})
    return pd.DataFrame(rows)


def status_table(study: Study) -> pd.DataFrame:
    """Trials by status, per protocol and optimizer."""
    counts = (study.trials.groupby(["protocol", "optimizer", "status"], observed=True)
              .size().unstack("status", fill_value=0))
    for status in ("completed", "diverged", "failed"):
        if status not in counts:
            counts[status] = 0
    counts = counts[["completed", "diverged", "failed"]]
    counts["total"] = counts.sum(axis=1)
    return counts.reset_index()


def _import_html(study: Study) -> str:
    if "import" not in study.provenance:
        return unavailable("Not imported: the study was written by tunestats (its provenance "
                           "has no import record).")
    report = import_report(study)
    lines = "".join(f"<li>{escape(line)}</li>" for line in report.lines())
    parts = [f'<ul class="log">{lines}</ul>']
    if report.skipped:
        skipped = pd.DataFrame([vars(s) for s in report.skipped])
        parts.append(html_table(skipped, "Everything the import skipped, with the reason",
                                max_rows=SHOWN_ROWS, csv_name="import-skipped.csv",
                                collapsed=True))
    return "".join(parts)


def _provenance_html(study: Study) -> str:
    items = {k: v for k, v in study.provenance.items() if k != "import"}
    if not items:
        return unavailable("The study records no provenance.")
    def value(v: Any) -> str:
        text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        return f"<pre>{escape(text)}</pre>" if "\n" in text else escape(text)

    return (f"<details><summary>How the study was made ({len(items)} entries)</summary><dl>"
            + "".join(f"<dt>{escape(str(k))}</dt><dd>{value(v)}</dd>" for k, v in items.items())
            + "</dl></details>")


def summary_section(study: Study) -> str:
    """Workloads and their metrics, protocols, optimizers, trials by status, provenance
    and the import report.

    Parameters
    ----------
    study : Study

    Returns
    -------
    str
        The section's HTML.
    """
    trials = study.trials
    counts = trials["status"].value_counts()
    facts = {"trials": f"{len(trials)} in {len(study.pool_keys())} pools ("
                       + ", ".join(f"{int(counts.get(s, 0))} {s}"
                                   for s in ("completed", "diverged", "failed")) + ")",
             "workloads": _names(trials["workload"]),
             "protocols": _names(trials["protocol"]),
             "optimizers": _names(trials["optimizer"]),
             "evaluations": f"{len(study.curves)} curve rows",
             "source": study.source or "(built in memory)"}
    return "".join([
        "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts.items())
        + "</dl>",
        html_table(workload_table(study), "Workloads: the metric of each role, the final metrics each logs, its targets",
                   csv_name="workloads.csv"),
        html_table(status_table(study), "Trials by status, per protocol and optimizer",
                   csv_name="trials-by-status.csv"),
        "<h3>Provenance</h3>", _provenance_html(study),
        "<h3>Import report</h3>", _import_html(study),
    ])


# -- verdicts -----------------------------------------------------------------------

def _proposal(row: Mapping[str, Any]) -> str:
    return (f"{row['param']}: [{format_value(row['proposed_low'])}, "
            f"{format_value(row['proposed_high'])}]")


def space_verdicts(result: SpaceCheck) -> pd.DataFrame:
    """One row per pool: adequate or not, the budget verdict, each flagged side with
    its kind, and the proposed range of each open edge."""
    pool = ["workload", "protocol", "optimizer"]
    reasons = set(result.reasons[pool].astype(str).itertuples(index=False, name=None))
    flagged = result.boundaries[~result.boundaries["verdict"].isin(["interior",
                                                                      "not applicable"])]
    by_pool = {tuple(map(str, key)): sides.to_dict("records") for key, sides
               in flagged.groupby(pool, observed=True, sort=False)}
    rows = []
    for budget in result.budgets.to_dict("records"):
        key = tuple(str(budget[c]) for c in pool)
        sides = by_pool.get(key, [])
        rows.append({
            **dict(zip(pool, key, strict=True)),
            "verdict": "not adequate" if key in reasons else "adequate",
            "budget": budget["verdict"],
            "flagged sides": "; ".join(
                f"{r['param']} {r['side']}: {r['verdict']}"
                + (f" ({r['edge_kind']})" if isinstance(r["edge_kind"], str) else "")
                for r in sides),
            "proposed ranges": "; ".join(_proposal(r) for r in sides
                                         if pd.notna(r["proposed_low"])
                                         or pd.notna(r["proposed_high"])),
        })
    return pd.DataFrame(rows, columns=SPACE_COLUMNS)


def _space_html(analyses: Analyses) -> str:
    result = analyses.space
    if isinstance(result, Exception):
        return unavailable(f"Search-space check not available: {result}")
    n = len(result.reasons)
    verdict = (f'<p class="verdict good">Search spaces adequate (judged by '
               f"{escape(result.metric.name)}).</p>" if result.adequate else
               f'<p class="verdict bad">Search spaces NOT adequate: {n} '
               f"reason{'s' if n != 1 else ''} (judged by {escape(result.metric.name)}).</p>")
    return "".join([
        verdict,
        html_table(space_verdicts(result), "Search-space verdict per pool: boundary and "
                   "budget checks, with the proposed range of each open edge",
                   table_id="space-verdicts", csv_name="space-verdicts.csv"),
        html_table(result.reasons, "Every reason the spaces are not adequate",
                   table_id="space-reasons", csv_name="space-reasons.csv",
                   collapsed=not result.reasons.empty),
    ])


def _comparison_html(analyses: Analyses) -> str:
    result = analyses.comparison
    if isinstance(result, Exception):
        return unavailable(f"Protocol comparison not available: {result}")
    violations = result.violations[result.violations["violation"]]
    flips = result.flips[result.flips["resolved"]]
    selects = sorted(set(result.rankings["select"].astype(str))) or ["?"]
    n_pairs = int(result.pairs["family_size"].iloc[0]) if len(result.pairs) else 0
    n_checks = int(result.violations["family_size"].iloc[0]) if len(result.violations) else 0
    return "".join([
        f'<p class="verdict {"bad" if len(violations) else "good"}">'
        f"{len(violations)} inclusion violation(s) and {len(flips)} resolved rank flip(s) "
        f"survive family-wise error control at α = {result.alpha:g} (permutation tests, "
        f"Westfall–Young min-p over k within a pair and a closed-test (Holm-type) step-down "
        f"across groups; families: {n_pairs} pair "
        f"checks, {n_checks} inclusion checks; best of k by {escape(', '.join(selects))}, "
        f"with replacement, seed {SEED}).</p>",
        html_table(violations, "Inclusion violations surviving family-wise control: a more "
                   "general optimizer worse than one it includes, p_adjusted ≤ α (family: "
                   f"{n_checks} checks)", table_id="inclusion-violations",
                   csv_name="inclusion-violations.csv"),
        html_table(flips, "Rank flips resolved under both protocols after family-wise "
                   f"control (family: {n_pairs} pair checks)", table_id="rank-flips",
                   csv_name="rank-flips.csv"),
    ])


def _profile_html(analyses: Analyses) -> str:
    result = analyses.profile
    if isinstance(result, Exception):
        return unavailable(f"Performance profile not available: {result}")
    return html_table(result.scores, "Performance-profile scores (area under ρ(τ) over "
                      f"[1, {result.tau_max:g}] divided by {result.tau_max - 1:g}; time: "
                      f"{result.time})", table_id="profile-scores",
                      csv_name="profile-scores.csv")


def verdicts_section(analyses: Analyses) -> str:
    """Search-space adequacy, inclusion violations and rank flips, profile scores.

    Parameters
    ----------
    analyses : Analyses

    Returns
    -------
    str
        The section's HTML.
    """
    return "".join([
        '<h3 id="verdict-space">Is each search space adequate?</h3>', _space_html(analyses),
        '<h3 id="verdict-inclusion">Inclusion violations and rank flips</h3>',
        _comparison_html(analyses),
        '<h3 id="verdict-profile">Performance profile</h3>', _profile_html(analyses),
    ])


# -- tables -------------------------------------------------------------------------

def _result_tables(analyses: Analyses) -> list[tuple[str, str, Any]]:
    """(file stem, caption, frame or the error) of every table behind the figures."""
    space, comparison, profile = (analyses.space, analyses.comparison,
                                  analyses.profile)

    def part(result: Any, name: str) -> Any:
        return result if isinstance(result, Exception) else getattr(result, name)

    return [
        ("pools", "One row per pool: trials by status, best final metrics, tuned "
                  "hyperparameters", analyses.pools),
        ("best-of-k", "Best of k trials by the headline metric (exact, with replacement; "
                      "q05–q95: spread of outcomes)", analyses.best_of_k),
        ("rankings", "Rankings per workload, protocol and k", part(comparison, "rankings")),
        ("pairs", "Pairwise probabilities and confidences", part(comparison, "pairs")),
        ("agreement", "Kendall's τ between protocols", part(comparison, "agreement")),
        ("inclusion-checks", "Every inclusion check", part(comparison, "violations")),
        ("boundaries", "Boundary checks, one row per pool, hyperparameter and side",
         part(space, "boundaries")),
        ("budgets", "Budget checks, one row per pool", part(space, "budgets")),
        ("positions", "Every trial's position along every checked hyperparameter",
         part(space, "positions")),
        ("profile-ratios", "Performance-profile times and ratios", part(profile, "ratios")),
    ]


def tables_section(analyses: Analyses) -> str:
    """The tables behind the figures, collapsible, each downloadable as CSV.

    Parameters
    ----------
    analyses : Analyses

    Returns
    -------
    str
        The section's HTML.
    """
    out = []
    for stem, caption, frame in _result_tables(analyses):
        if isinstance(frame, Exception):
            out.append(f"<p><strong>{escape(caption)}</strong></p>"
                       + unavailable(f"not available: {frame}"))
            continue
        out.append(html_table(frame, caption, max_rows=SHOWN_ROWS, csv_name=f"{stem}.csv",
                              table_id=f"table-{stem}", collapsed=True))
    return "".join(out)
