"""Appraisal reports a ministry reads: a self-contained HTML page and an Excel workbook.

:func:`build_report` turns one or more appraisals (:func:`iomodel.appraise`)
into a :class:`Report`: the headline figures, effects by phase and type,
the top industries by jobs and value added, budget revenue by tax and by
level of budget, the fiscal accounts by year, the assumptions and the
methodology notes with their sources, and, for several scenarios, the
headline figures side by side. :meth:`Report.write` writes ``report.html``
(figures embedded, no network needed, prints on A4) and ``report.xlsx``
(one sheet per table, units in headers, number formats, a sources sheet).
The command line's ``iomodel report`` and :meth:`iomodel.ImpactResult.report`
use it. See docs/reports.md.
"""

from .build import build_report, report_of
from .document import Figure, Report, Section, Table

__all__ = ["Figure", "Report", "Section", "Table", "build_report", "report_of"]
