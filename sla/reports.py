"""SLA compliance: met versus breached per target, by policy, priority, organisation and month.

Counted from the stored clocks that have an outcome (met, or breached, including targets still running
past their due time); a month is the UTC month the clock started in, and priority is the ticket's
current one.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa

from core.extensions import db
from core.models import Organisation
from sla.models import TARGETS, SlaClock, SlaPolicy
from support.models import PRIORITY_RANK, Ticket

DIMENSIONS = ("month", "policy", "priority", "organisation")
CSV_HEADER = ("month", "policy", "priority", "organisation", "target", "met", "breached")


@dataclass(frozen=True)
class Row:
    month: str
    policy: str
    priority: str
    organisation: str
    target: str
    met: int
    breached: int


@dataclass
class Tally:
    met: int = 0
    breached: int = 0

    @property
    def total(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        return 100 * self.met / self.total if self.total else None


@dataclass
class Summary:
    by: str
    targets: list[str]
    groups: list[str] = field(default_factory=list)
    cells: dict = field(default_factory=lambda: defaultdict(Tally))  # (group, target) -> Tally
    totals: dict = field(default_factory=lambda: defaultdict(Tally))  # target -> Tally

    def cell(self, group: str, target: str) -> Tally:
        return self.cells.get((group, target)) or Tally()

    def group_total(self, group: str) -> Tally:
        tally = Tally()
        for target in self.targets:
            found = self.cell(group, target)
            tally.met += found.met
            tally.breached += found.breached
        return tally


def _month(column):
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def compliance_rows(start: date, end: date, *, target: str | None = None) -> list[Row]:
    """Counts per month, policy, priority, organisation and target for clocks started in [start, end)."""
    month = _month(SlaClock.started_at).label("month")
    met = sa.func.sum(sa.case((SlaClock.outcome == "met", 1), else_=0))
    breached = sa.func.sum(sa.case((SlaClock.outcome == "breached", 1), else_=0))
    stmt = (
        sa.select(month, SlaPolicy.name, Ticket.priority, Organisation.name, SlaClock.target, met, breached)
        .join(Ticket, Ticket.id == SlaClock.ticket_id)
        .outerjoin(SlaPolicy, SlaPolicy.id == SlaClock.policy_id)
        .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
        .where(
            SlaClock.outcome.is_not(None),
            SlaClock.started_at >= _midnight(start),
            SlaClock.started_at < _midnight(end),
        )
        .group_by(month, SlaPolicy.name, Ticket.priority, Organisation.name, SlaClock.target)
        .order_by(month, SlaPolicy.name, Ticket.priority, Organisation.name, SlaClock.target)
    )
    if target:
        stmt = stmt.where(SlaClock.target == target)
    return [
        Row(m, policy or "", priority, organisation or "", tgt, int(yes or 0), int(no or 0))
        for m, policy, priority, organisation, tgt, yes, no in db.session.execute(stmt)
    ]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def summarise(rows: list[Row], by: str, *, target: str | None = None) -> Summary:
    """Tallies per value of the `by` dimension (and per target), ready for a table and a chart."""
    summary = Summary(by, [target] if target else list(TARGETS))
    for row in rows:
        group = getattr(row, by)
        summary.cells[(group, row.target)].met += row.met
        summary.cells[(group, row.target)].breached += row.breached
        summary.totals[row.target].met += row.met
        summary.totals[row.target].breached += row.breached
    groups = {getattr(row, by) for row in rows}
    if by == "priority":
        summary.groups = sorted(groups, key=lambda p: PRIORITY_RANK.get(p, 99))
    else:
        summary.groups = sorted(groups)
    return summary


def chart(summary: Summary, labels: dict[str, str], names: dict[str, str]) -> dict:
    """A Chart.js configuration: met and breached per group, stacked. `labels` shows group values."""
    tallies = [summary.group_total(group) for group in summary.groups]
    return {
        "type": "bar",
        "data": {
            "labels": [labels.get(group, group) for group in summary.groups],
            "datasets": [
                {"label": names["met"], "data": [t.met for t in tallies], "backgroundColor": "#2da44e"},
                {
                    "label": names["breached"],
                    "data": [t.breached for t in tallies],
                    "backgroundColor": "#cf222e",
                },
            ],
        },
        "options": {
            "responsive": True,
            "animation": False,
            "scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}},
        },
    }


def csv_text(rows: list[Row]) -> str:
    """The rows as CSV, one line per month, policy, priority, organisation and target."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.month,
                _cell(row.policy),
                row.priority,
                _cell(row.organisation),
                row.target,
                row.met,
                row.breached,
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    # A name starting like a formula would run as one in a spreadsheet (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
