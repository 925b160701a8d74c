"""The figures of a review period, frozen into the review when it is prepared (its "snapshot").

Plain JSON (numbers, strings, ISO times), so a held review shows what the team saw, whatever changes
later. Each part reads what its package offers: ticket volume and time to resolve from the tickets, SLA
compliance from `sla.reports`, knowledge gaps from `kb.queries` and `support.links`, the rest from here.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from core.extensions import db
from kb import queries as kb_queries
from reviews import queries
from sla import reports as sla_reports
from sla.models import TARGETS
from support.links import TicketArticle
from support.models import DONE_STATUSES, Ticket

TOP = 10


def build(start: datetime, end: datetime, *, now: datetime) -> dict:
    """Everything a review meeting looks at for the period [start, end)."""
    days = max(1, round((end - start).total_seconds() / 86400))
    return {
        "generated_at": now.isoformat(),
        "period": {"start": start.isoformat(), "end": end.isoformat(), "days": days},
        "volume": _volume(start, end),
        "resolution": _resolution(start, end),
        "sla": _sla(start, end),
        "satisfaction": _satisfaction(start, end),
        "recurring": [
            {
                key: view.as_dict()[key]
                for key in ("label", "tickets", "size", "trend", "organisations", "problem_id")
            }
            for view in queries.detect_recurring(days=days, now=end)[:TOP]
        ],
        "problems": [
            {"id": p.id, "title": p.title, "status": p.status, "tickets": len(p.links)}
            for p in queries.open_problems()
        ],
        "knowledge_gaps": _knowledge_gaps(start, end),
        "open_actions": [
            {
                "id": a.id,
                "title": a.title,
                "owner": a.owner.display_name if a.owner else None,
                "due_on": a.due_on.isoformat() if a.due_on else None,
                "status": a.status,
                "review_id": a.review_id,
                "overdue": a.is_overdue(end.date()),
            }
            for a in queries.open_actions(before=start)
        ],
    }


def _volume(start: datetime, end: datetime) -> dict:
    opened = (Ticket.created_at >= start) & (Ticket.created_at < end)
    by_kind = db.session.execute(
        sa.select(Ticket.kind, sa.func.count()).where(opened).group_by(Ticket.kind).order_by(Ticket.kind)
    ).all()
    by_product = db.session.execute(
        sa.select(Ticket.product, sa.func.count())
        .where(opened)
        .group_by(Ticket.product)
        .order_by(sa.func.count().desc(), Ticket.product)
        .limit(TOP)
    ).all()
    return {
        "opened": sum(n for _kind, n in by_kind),
        "by_kind": {kind: n for kind, n in by_kind},
        "by_product": [[product or "", n] for product, n in by_product],
    }


def _resolution(start: datetime, end: datetime) -> dict:
    rows = db.session.execute(
        sa.select(Ticket.created_at, Ticket.resolved_at).where(
            Ticket.resolved_at >= start, Ticket.resolved_at < end, Ticket.merged_into_id.is_(None)
        )
    ).all()
    hours = sorted((resolved - created).total_seconds() / 3600 for created, resolved in rows)
    return {
        "resolved": len(hours),
        # Calendar hours from opening to resolution; business hours per SLA target are in "sla".
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "mean_hours": round(statistics.fmean(hours), 1) if hours else None,
    }


def _sla(start: datetime, end: datetime) -> dict:
    """Met and breached per SLA target for clocks started in the period (sla.reports counts whole UTC
    days, so the period is widened to the UTC days it touches)."""
    first = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date() + timedelta(days=1)
    summary = sla_reports.summarise(sla_reports.compliance_rows(first, last), "priority")
    out = {}
    for target in TARGETS:
        tally = summary.totals.get(target) or sla_reports.Tally()
        percent = tally.percent
        out[target] = {
            "met": tally.met,
            "breached": tally.breached,
            "percent": round(percent, 1) if percent is not None else None,
        }
    return out


def _satisfaction(start: datetime, end: datetime) -> dict:
    found = queries.satisfaction(start, end)
    return {
        "answers": found.answers,
        "average": found.average,
        "distribution": {str(k): v for k, v in found.distribution.items()},
        "low": [
            {
                "survey_id": s.id,
                "ticket": s.ticket_id,
                "subject": s.ticket.subject,
                "score": s.score,
                "comment": s.comment,
                "answered_at": s.answered_at.isoformat() if s.answered_at else None,
            }
            for s in found.low
        ],
    }


def _knowledge_gaps(start: datetime, end: datetime) -> dict:
    # Searches that found nothing since the period began (kb counts from a start, not within a range).
    searches = [
        {"query": gap.query, "searches": gap.searches}
        for gap in kb_queries.knowledge_gaps(since=start, limit=TOP)
    ]
    linked = sa.select(TicketArticle.ticket_id).where(TicketArticle.ticket_id == Ticket.id).exists()
    without = (
        sa.select(Ticket.id)
        .where(
            Ticket.resolved_at >= start,
            Ticket.resolved_at < end,
            Ticket.status.in_([str(s) for s in DONE_STATUSES]),
            Ticket.merged_into_id.is_(None),
            ~linked,
        )
        .order_by(Ticket.id)
    )
    numbers = list(db.session.scalars(without))
    return {"searches": searches, "resolved_without_article": len(numbers), "tickets": numbers[:50]}


def last_period(now: datetime, cadence: str, timezone: str) -> tuple[datetime, datetime]:
    """The last finished week (Monday to Monday) or month in the desk's time zone, as UTC times."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    if cadence == "monthly":
        end = midnight.replace(day=1)
        start = (end - timedelta(days=1)).replace(day=1)
    else:
        end = midnight - timedelta(days=local.weekday())
        start = end - timedelta(days=7)
    # Rebuild from the wall clock so a daylight-saving change inside the period keeps midnights midnights.
    start = datetime(start.year, start.month, start.day, tzinfo=zone)
    end = datetime(end.year, end.month, end.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
