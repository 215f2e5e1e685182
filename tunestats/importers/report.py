"""The import report: what an importer read, what it skipped and why, and how it
knows each metric's direction.

Every importer fills one :class:`ImportReport` and stores it in the study's
provenance (``study.provenance["import"]``), so that the report travels with
the study folder; :func:`import_report` reads it back. The command line prints
:meth:`ImportReport.lines` after each import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._html import HtmlRepr
from ..errors import DataError, ParameterError

__all__ = ["POOL_COUNTS", "ImportReport", "Skip", "import_report"]

#: What the report counts per pool: trials kept, their statuses, those a
#: scheduler stopped early (``attr.stopped_early``), re-runs of a tuned setting
#: (``attr.role`` = ``rerun``), and trials skipped.
POOL_COUNTS = ("trials", "completed", "diverged", "failed", "early-stopped", "re-run",
               "skipped")

#: How many skips of one kind :meth:`ImportReport.lines` lists before counting the rest.
_LISTED = 10


@dataclass(frozen=True)
class Skip:
    """One thing an importer left out.

    Attributes
    ----------
    what : str
        The kind of thing: ``trial``, ``file``, ``metric``, ``column``,
        ``parameter``, ``space`` or ``rows``.
    place : str
        Where it is: a path, a trial, a column name.
    reason : str
        Why it was left out.
    """

    what: str
    place: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what} {self.place}: {self.reason}"


@dataclass
class ImportReport(HtmlRepr):
    """What one import read and left out.

    Attributes
    ----------
    format : str
        The importer (``algoperf``, ``optuna``, ...).
    source : str
        What was read (a folder, a file, a storage URL).
    read : dict of str to int
        Counts of what was read, e.g. ``{"trial folders": 4000}``.
    skipped : list of Skip
        Everything left out, each with its place and reason.
    notes : list of str
        Decisions that changed what the data says or filled in what it does
        not say (statuses assigned, defaults used, finals left out).
    metrics : dict of str to str
        For each metric, how its direction and split are known:
        ``"stated by the format"``, ``"inferred from the name"`` or
        ``"given by option"``.
    pools : dict of str to dict of str to int
        Per pool (``workload/protocol/optimizer``; ``?`` for things skipped
        before their pool was known): the counts of :data:`POOL_COUNTS`.
    strict : bool
        When True, the first skip raises :class:`~tunestats.errors.DataError`
        instead of being recorded.
    """

    format: str
    source: str
    read: dict[str, int] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    pools: dict[str, dict[str, int]] = field(default_factory=dict)
    strict: bool = False

    def count(self, what: str, n: int = 1) -> None:
        """Count ``n`` more things of the kind ``what`` read."""
        self.read[what] = self.read.get(what, 0) + n

    def skip(self, what: str, place: Any, reason: str, pool: str | None = None) -> None:
        """Record that ``what`` at ``place`` was left out (or raise, when strict). A
        skipped trial — or anything skipped with a ``pool``, such as a trial's
        unreadable result file — is also counted as a skipped trial of that pool
        (``?`` for a trial whose pool is unknown)."""
        item = Skip(what, str(place), reason)
        if self.strict:
            raise DataError(f"{item} (strict import: nothing may be skipped)")
        self.skipped.append(item)
        if what == "trial" or pool is not None:
            self.count_pool(pool or "?", "skipped")

    def count_pool(self, pool: str, what: str, n: int = 1) -> None:
        """Count ``n`` more trials of the kind ``what`` (one of :data:`POOL_COUNTS`)
        in ``pool``."""
        counts = self.pools.setdefault(pool, dict.fromkeys(POOL_COUNTS, 0))
        counts[what] += n

    def note(self, text: str) -> None:
        """Record a decision the importer took."""
        if text not in self.notes:
            self.notes.append(text)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in the study's provenance."""
        return {"format": self.format, "source": self.source, "read": dict(self.read),
                "skipped": [{"what": s.what, "place": s.place, "reason": s.reason}
                            for s in self.skipped],
                "notes": list(self.notes), "metrics": dict(self.metrics),
                "pools": {p: dict(c) for p, c in self.pools.items()}}

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> ImportReport:
        """Rebuild a report from :meth:`to_dict`'s form."""
        return cls(doc["format"], doc["source"], dict(doc.get("read", {})),
                   [Skip(**s) for s in doc.get("skipped", [])], list(doc.get("notes", [])),
                   dict(doc.get("metrics", {})),
                   {p: dict(c) for p, c in doc.get("pools", {}).items()})

    def lines(self) -> list[str]:
        """A readable summary: counts, metrics, notes and skips (grouped by kind,
        the first few of each listed)."""
        read = ", ".join(f"{n} {what}" for what, n in self.read.items()) or "nothing"
        out = [f"read {self.format} from {self.source}: {read}"]
        for name, how in self.metrics.items():
            out.append(f"  metric {name}: {how}")
        for note in self.notes:
            out.append(f"  note: {note}")
        if self.pools:
            out.append("per pool: " + ", ".join(POOL_COUNTS))
            for pool, counts in sorted(self.pools.items()):
                out.append(f"  {pool}: " + ", ".join(str(counts.get(k, 0)) for k in POOL_COUNTS))
        kinds = Counter(s.what for s in self.skipped)
        out.append(f"skipped {len(self.skipped)}" + (
            " (" + ", ".join(f"{n} {k}" for k, n in kinds.items()) + ")" if kinds else ""))
        for kind in kinds:
            items = [s for s in self.skipped if s.what == kind]
            for item in items[:_LISTED]:
                out.append(f"  {item}")
            if len(items) > _LISTED:
                out.append(f"  ... and {len(items) - _LISTED} more {kind} skips "
                           "(all are listed in study.json under provenance.import)")
        return out


def import_report(study: Any) -> ImportReport:
    """The report of the import that made ``study``.

    Parameters
    ----------
    study : Study
        A study written by one of :mod:`tunestats.importers`.

    Returns
    -------
    ImportReport
        What was read and skipped (with reasons), the per-pool counts and the
        decisions taken, as kept in ``provenance.import``.

    Raises
    ------
    ParameterError
        When the study was not made by an importer.
    """
    doc = getattr(study, "provenance", {}).get("import")
    if not isinstance(doc, Mapping):
        raise ParameterError("`study` was not made by a tunestats importer: its provenance "
                             "has no `import` record.")
    return ImportReport.from_dict(doc)
