"""One self-contained HTML page per study: verdicts first, then the evidence."""

from .page import SECTIONS, render_report, report

__all__ = ["SECTIONS", "render_report", "report"]
