"""Reads of the improvement loop: tickets as detection sees them, recurring clusters with their trend,
problems and their effectiveness, reviews, action items, surveys."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from core.extensions import db
from core.models import Organisation, User
from reviews import recurring
from reviews.glossary import Matcher, current_matcher
from reviews.models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    Detection,
    Dismissal,
    LinkState,
    Problem,
    ProblemStatus,
    ProblemTicket,
    Review,
    Survey,
)
from support.models import Message, Ticket

LOW_SCORE = 2  # a score at or below this flags the ticket for the next review


# -- tickets as detection sees them ------------------------------------------------------------------


def ticket_docs(
    start: datetime, end: datetime, *, kinds: tuple[str, ...] | None = None
) -> list[recurring.Doc]:
    """Tickets opened in [start, end) with their first public message, merged duplicates left out."""
    kinds = kinds if kinds is not None else tuple(current_app.config["REVIEWS_DETECT_KINDS"])
    first_body = (
        sa.select(Message.body)
        .where(Message.ticket_id == Ticket.id, Message.internal.is_(False))
        .order_by(Message.created_at, Message.id)
        .limit(1)
        .correlate(Ticket)
        .scalar_subquery()
    )
    stmt = (
        sa.select(Ticket.id, Ticket.subject, first_body, Ticket.product, Organisation.name, Ticket.created_at)
        .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
        .where(Ticket.created_at >= start, Ticket.created_at < end, Ticket.merged_into_id.is_(None))
        .order_by(Ticket.id)
    )
    if kinds:
        stmt = stmt.where(Ticket.kind.in_(kinds))
    return [
        recurring.Doc(number, subject, body or "", product or "", org or "", created)
        for number, subject, body, product, org, created in db.session.execute(stmt)
    ]


# -- recurring clusters ------------------------------------------------------------------------------


@dataclass
class ClusterView:
    """A recurring cluster as the page and the API show it."""

    label: str
    key: str
    tickets: list[int]  # in the current window
    previous: int  # tickets of the same fault in the window before
    organisations: list[str]
    products: list[str]
    signature: dict
    problem_id: int | None = None  # the problem it matches, when one was confirmed already

    @property
    def size(self) -> int:
        return len(self.tickets)

    @property
    def trend(self) -> str:
        if not self.previous:
            return "new"
        change = self.size - self.previous
        return "up" if change > 0 else ("down" if change < 0 else "flat")

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "key": self.key,
            "tickets": self.tickets,
            "size": self.size,
            "trend": {
                "previous": self.previous,
                "change": self.size - self.previous,
                "direction": self.trend,
            },
            "organisations": self.organisations,
            "products": self.products,
            "signature": self.signature,
            "problem_id": self.problem_id,
        }


def detect_recurring(
    *, days: int, now: datetime, min_size: int | None = None, include_known: bool = True
) -> list[ClusterView]:
    """Clusters of the last `days` days with their trend against the `days` before, dismissed ones left out.

    Both windows are clustered together, so "the same fault" means the same thing in both; a cluster is
    reported when at least `min_size` of its tickets fall in the current window.
    """
    min_size = min_size or current_app.config["REVIEWS_MIN_CLUSTER"]
    start, previous_start = now - timedelta(days=days), now - timedelta(days=2 * days)
    docs = ticket_docs(previous_start, now)
    matcher = current_matcher()
    clusters = recurring.detect(docs, matcher, min_size=min_size)
    by_number = {doc.number: doc for doc in docs}
    dismissed = list(db.session.scalars(sa.select(Dismissal)))
    problems = list(db.session.scalars(sa.select(Problem).where(Problem.signature.is_not(None))))
    views = []
    for cluster in clusters:
        current = [n for n in cluster.numbers if by_number[n].created_at >= start]
        if len(current) < min_size or _is_dismissed(cluster, dismissed, matcher):
            continue
        members = [by_number[n] for n in current]
        view = ClusterView(
            label=cluster.label,
            key=cluster.key,
            tickets=current,
            previous=len(cluster.numbers) - len(current),
            organisations=sorted({d.organisation for d in members if d.organisation}),
            products=sorted({d.product for d in members if d.product}),
            signature=cluster.signature(),
            problem_id=_matching_problem(cluster, problems, matcher),
        )
        if include_known or view.problem_id is None:
            views.append(view)
    views.sort(key=lambda v: (-v.size, v.tickets[0]))
    return views


def _is_dismissed(cluster: recurring.Cluster, dismissed: list[Dismissal], matcher: Matcher) -> bool:
    return any(
        d.key == cluster.key or recurring.resembles(cluster.signature(), d.signature, matcher)
        for d in dismissed
    )


def _matching_problem(cluster: recurring.Cluster, problems: list[Problem], matcher: Matcher) -> int | None:
    best, top = None, 0.0
    for problem in problems:
        score = recurring.resembles(cluster.signature(), problem.signature or {}, matcher)
        if score > top:
            best, top = problem.id, score
    return best


def still_open(clusters: list[dict]) -> list[dict]:
    """Stored clusters as they stand now: dismissed ones out, the problems confirmed since marked."""
    matcher = current_matcher()
    dismissed = list(db.session.scalars(sa.select(Dismissal)))
    problems = list(db.session.scalars(sa.select(Problem)))
    result = []
    for data in clusters:
        signature = data.get("signature") or {}
        gone = any(
            d.key == data.get("key") or recurring.resembles(signature, d.signature, matcher)
            for d in dismissed
        )
        if not gone:
            best = max(
                ((recurring.resembles(signature, p.signature or {}, matcher), p.id) for p in problems),
                default=(0.0, None),
            )
            result.append({**data, "problem_id": best[1] if best[0] else None})
    return result


def stored_detection(days: int, *, now: datetime, max_age: timedelta) -> Detection | None:
    """The latest stored detection for this window, if it is recent enough."""
    return db.session.scalar(
        sa.select(Detection)
        .where(Detection.days == days, Detection.computed_at >= now - max_age)
        .order_by(Detection.computed_at.desc(), Detection.id.desc())
        .limit(1)
    )


def run_detection(*, days: int, now: datetime) -> Detection:
    """Detect and store the result (flushes; the caller commits)."""
    began = time.perf_counter()
    views = detect_recurring(days=days, now=now)
    count = db.session.scalar(
        sa.select(sa.func.count(Ticket.id)).where(Ticket.created_at >= now - timedelta(days=2 * days))
    )
    row = Detection(
        days=days,
        computed_at=now,
        tickets=count or 0,
        seconds=round(time.perf_counter() - began, 3),
        clusters=[v.as_dict() for v in views],
    )
    db.session.add(row)
    db.session.flush()
    return row


# -- problems ----------------------------------------------------------------------------------------


def problems(*, statuses: tuple[str, ...] | None = None) -> list[Problem]:
    stmt = (
        sa.select(Problem)
        .options(selectinload(Problem.links))
        .order_by(Problem.updated_at.desc(), Problem.id)
    )
    if statuses:
        stmt = stmt.where(Problem.status.in_(statuses))
    return list(db.session.scalars(stmt))


def open_problems() -> list[Problem]:
    return problems(statuses=(ProblemStatus.investigating, ProblemStatus.known_error))


def problem_links(problem: Problem) -> list[ProblemTicket]:
    stmt = (
        sa.select(ProblemTicket)
        .where(ProblemTicket.problem_id == problem.id)
        .options(joinedload(ProblemTicket.ticket).joinedload(Ticket.organisation))
        .order_by(ProblemTicket.ticket_id)
    )
    return list(db.session.scalars(stmt))


def ticket_problems(ticket: Ticket) -> list[ProblemTicket]:
    """The problems a ticket is linked to or suggested for (not the rejected suggestions)."""
    stmt = (
        sa.select(ProblemTicket)
        .where(ProblemTicket.ticket_id == ticket.id, ProblemTicket.state != LinkState.rejected)
        .options(joinedload(ProblemTicket.problem))
        .order_by(ProblemTicket.id)
    )
    return list(db.session.scalars(stmt))


@dataclass
class Effectiveness:
    """Tickets of a fixed problem's fault before and after its fix date, over equal windows."""

    fixed_at: datetime
    days: int
    before: int
    after: int

    @property
    def before_per_week(self) -> float:
        return self.before * 7 / self.days

    @property
    def after_per_week(self) -> float:
        return self.after * 7 / self.days

    @property
    def change(self) -> float | None:
        """Relative change of the recurrence rate (-1.0 = it stopped); None without tickets before."""
        return (self.after - self.before) / self.before if self.before else None


def effectiveness(problem: Problem, *, now: datetime) -> Effectiveness | None:
    """Recurrence before and after the fix: linked tickets plus tickets that match the problem's fault."""
    if problem.fixed_at is None:
        return None
    limit = current_app.config["REVIEWS_EFFECT_DAYS"]
    days = max(1, min(limit, (now - problem.fixed_at).days or 1))
    start, end = problem.fixed_at - timedelta(days=days), problem.fixed_at + timedelta(days=days)
    linked = set(
        db.session.scalars(
            sa.select(ProblemTicket.ticket_id).where(
                ProblemTicket.problem_id == problem.id, ProblemTicket.state == LinkState.linked
            )
        )
    )
    matcher = current_matcher()
    before = after = 0
    for doc in ticket_docs(start, end):
        if doc.number in linked or recurring.match(
            recurring.signature(doc, matcher), problem.signature, matcher
        ):
            if doc.created_at < problem.fixed_at:
                before += 1
            else:
                after += 1
    return Effectiveness(problem.fixed_at, days, before, after)


# -- reviews and action items ------------------------------------------------------------------------


def reviews(*, limit: int = 50) -> list[Review]:
    # The list shows each review's number of action items: load them with the page, not per review.
    stmt = sa.select(Review).options(selectinload(Review.actions)).order_by(Review.period_start.desc())
    return list(db.session.scalars(stmt.limit(limit)))


def review_for(review_id: int) -> Review | None:
    return db.session.get(Review, review_id)


def open_actions(*, before: datetime | None = None, owner: User | None = None) -> list[ActionItem]:
    """Open action items, oldest due first; `before` keeps those decided in reviews before that time."""
    stmt = (
        sa.select(ActionItem)
        .join(Review, ActionItem.review_id == Review.id)
        .where(ActionItem.status.in_(OPEN_ACTION_STATUSES))
        .options(joinedload(ActionItem.owner), joinedload(ActionItem.review))
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
    )
    if before is not None:
        stmt = stmt.where(Review.period_start < before)
    if owner is not None:
        stmt = stmt.where(ActionItem.owner_id == owner.id)
    return list(db.session.scalars(stmt))


def overdue_actions(owner: User, today: date) -> list[ActionItem]:
    return [a for a in open_actions(owner=owner) if a.is_overdue(today)]


# -- surveys -----------------------------------------------------------------------------------------


def survey_of(ticket: Ticket) -> Survey | None:
    return db.session.scalar(sa.select(Survey).where(Survey.ticket_id == ticket.id))


@dataclass
class Satisfaction:
    answers: int = 0
    average: float | None = None
    distribution: dict[int, int] = field(default_factory=dict)
    low: list[Survey] = field(default_factory=list)


def satisfaction(start: datetime, end: datetime) -> Satisfaction:
    """Answers given in [start, end), and the low scores flagged and not yet looked at in a held review."""
    rows = list(
        db.session.scalars(
            sa.select(Survey)
            .where(Survey.answered_at >= start, Survey.answered_at < end)
            .options(joinedload(Survey.ticket))
            .order_by(Survey.answered_at)
        )
    )
    result = Satisfaction(answers=len(rows), distribution={score: 0 for score in range(1, 6)})
    for row in rows:
        result.distribution[row.score] = result.distribution.get(row.score, 0) + 1
    if rows:
        result.average = round(sum(row.score for row in rows) / len(rows), 2)
    result.low = list(
        db.session.scalars(
            sa.select(Survey)
            .where(Survey.flagged_at.is_not(None), Survey.flagged_at < end, Survey.reviewed_in_id.is_(None))
            .options(joinedload(Survey.ticket))
            .order_by(Survey.flagged_at)
        )
    )
    return result
