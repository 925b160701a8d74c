"""Writes of the improvement loop: problems and their tickets, dismissed clusters, review meetings and
action items. Plain arguments and an injectable `now`; they flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.extensions import db
from core.models import User
from kb.models import Article
from reviews import recurring, snapshot
from reviews.errors import ReviewError
from reviews.glossary import current_matcher
from reviews.models import (
    ActionItem,
    ActionStatus,
    Dismissal,
    LinkState,
    Problem,
    ProblemStatus,
    ProblemTicket,
    Review,
    ReviewStatus,
    Survey,
)
from support.models import Ticket

TITLE_MAX = 200


# -- clusters ----------------------------------------------------------------------------------------


def confirm_cluster(
    *, title: str, numbers: Iterable[int], signature: dict, actor: User | None, now: datetime | None = None
) -> Problem:
    """Turn a recurring cluster into a Problem (investigating) with its tickets linked."""
    now = now or utcnow()
    problem = Problem(
        title=_title(title),
        status=ProblemStatus.investigating,
        signature=_clean_signature(signature),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    db.session.add(problem)
    db.session.flush()
    for ticket in _tickets(numbers):
        link_ticket(problem, ticket, actor=actor, now=now)
    return problem


def dismiss_cluster(
    *,
    key: str,
    label: str,
    numbers: Iterable[int],
    signature: dict,
    reason: str = "",
    actor: User | None,
    now: datetime | None = None,
) -> Dismissal:
    """Judge a cluster not to be a problem: it, and clusters of the same fault, are not shown again."""
    now = now or utcnow()
    if not (signature or {}).get("features"):
        raise ReviewError(_l("This cluster can no longer be dismissed; reload the page."), "key")
    dismissal = Dismissal(
        key=(key or "")[:300],
        label=(label or "")[:300],
        signature=_clean_signature(signature),
        tickets=sorted({int(n) for n in numbers}),
        reason=(reason or "").strip()[:500],
        dismissed_by=actor,
        created_at=now,
    )
    db.session.add(dismissal)
    db.session.flush()
    return dismissal


def _clean_signature(signature: dict) -> dict:
    """Only the parts detection reads, as plain numbers (it arrives from a form as JSON)."""
    out = {}
    for part in ("features", "weights", "costs"):
        values = (signature or {}).get(part) or {}
        if not isinstance(values, dict):
            raise ReviewError(_l("This cluster can no longer be used; reload the page."), "signature")
        out[part] = {
            str(k)[:60]: float(v) for k, v in list(values.items())[:200] if isinstance(v, int | float)
        }
    return out


# -- problems ----------------------------------------------------------------------------------------


def update_problem(
    problem: Problem,
    *,
    title: str,
    status: str,
    root_cause: str = "",
    workaround: str = "",
    article: Article | None = None,
    fixed_on: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Edit a problem and move it along investigating -> known error -> fixed (or back, when it returns).

    A known error needs a workaround: that is what engineers will be shown on matching new tickets.
    The fix date defaults to now; effectiveness compares the weeks before and after it.
    """
    now = now or utcnow()
    if status not in ProblemStatus.__members__:
        raise ReviewError(_l("Choose a status."), "status")
    workaround = (workaround or "").strip()
    if status == ProblemStatus.known_error and not workaround:
        raise ReviewError(
            _l("A known error needs a workaround that engineers can give customers."), "workaround"
        )
    if fixed_on is not None and fixed_on > now:
        raise ReviewError(_l("The fix date cannot be in the future."), "fixed_on")
    problem.title = _title(title)
    problem.root_cause = (root_cause or "").strip()
    problem.workaround = workaround
    problem.article = article
    if status != problem.status:
        if status == ProblemStatus.known_error:
            problem.known_error_at = now
        problem.fixed_at = (fixed_on or now) if status == ProblemStatus.fixed else None
        problem.status = status
    elif status == ProblemStatus.fixed and fixed_on is not None:
        problem.fixed_at = fixed_on
    problem.updated_at = now
    db.session.flush()


def link_ticket(
    problem: Problem, ticket: Ticket, *, actor: User | None, now: datetime | None = None
) -> ProblemTicket:
    """Link a ticket to a problem as one of its incidents (accepting a suggestion if there was one)."""
    now = now or utcnow()
    link = _link_of(problem, ticket)
    if link is None:
        link = ProblemTicket(problem=problem, ticket=ticket, created_at=now)
        db.session.add(link)
    link.state = LinkState.linked
    link.decided_by_id = actor.id if actor else None
    problem.updated_at = now
    db.session.flush()
    return link


def reject_suggestion(problem: Problem, ticket: Ticket, *, actor: User | None) -> None:
    """An engineer says the ticket is something else: the suggestion goes and does not come back."""
    link = _link_of(problem, ticket)
    if link is not None and link.state == LinkState.suggested:
        link.state = LinkState.rejected
        link.decided_by_id = actor.id if actor else None
        db.session.flush()


def unlink_ticket(problem: Problem, ticket: Ticket) -> None:
    link = _link_of(problem, ticket)
    if link is not None:
        db.session.delete(link)
        db.session.flush()


def suggest_known_errors(ticket: Ticket, *, now: datetime | None = None) -> list[ProblemTicket]:
    """Offer the known errors a new ticket looks like (its page shows their workaround)."""
    now = now or utcnow()
    known = list(db.session.scalars(sa.select(Problem).where(Problem.status == ProblemStatus.known_error)))
    if not known:
        return []
    matcher = current_matcher()
    first = next((m for m in ticket.messages if not m.internal), None)
    doc = recurring.Doc(ticket.id, ticket.subject, first.body if first else "", ticket.product)
    sig = recurring.signature(doc, matcher)
    suggestions = []
    for problem in known:
        if recurring.match(sig, problem.signature or {}, matcher) and _link_of(problem, ticket) is None:
            link = ProblemTicket(problem=problem, ticket=ticket, state=LinkState.suggested, created_at=now)
            db.session.add(link)
            suggestions.append(link)
    db.session.flush()
    return suggestions


def _link_of(problem: Problem, ticket: Ticket) -> ProblemTicket | None:
    return db.session.scalar(
        sa.select(ProblemTicket).where(
            ProblemTicket.problem_id == problem.id, ProblemTicket.ticket_id == ticket.id
        )
    )


def _tickets(numbers: Iterable[int]) -> list[Ticket]:
    wanted = sorted({int(n) for n in numbers})
    return list(db.session.scalars(sa.select(Ticket).where(Ticket.id.in_(wanted)))) if wanted else []


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ReviewError(_l("Give the problem a title."), "title")
    if len(title) > TITLE_MAX:
        raise ReviewError(_l("The title is too long (at most %(max)s characters).", max=TITLE_MAX), "title")
    return title


# -- reviews -----------------------------------------------------------------------------------------


def create_review(
    *, period_start: datetime, period_end: datetime, cadence: str = "custom", now: datetime | None = None
) -> Review:
    """A draft review for the period, with the snapshot of its figures taken now."""
    now = now or utcnow()
    if period_end <= period_start:
        raise ReviewError(_l("The period must end after it starts."), "period_end")
    if period_end > now:
        raise ReviewError(_l("A review looks back: the period must be over."), "period_end")
    exists = db.session.scalar(
        sa.select(Review.id).where(Review.period_start == period_start, Review.period_end == period_end)
    )
    if exists is not None:
        raise ReviewError(_l("There is a review for this period already."), "period_start")
    review = Review(
        cadence=cadence,
        period_start=period_start,
        period_end=period_end,
        status=ReviewStatus.draft,
        snapshot=snapshot.build(period_start, period_end, now=now),
        created_at=now,
        updated_at=now,
    )
    db.session.add(review)
    db.session.flush()
    return review


def refresh_snapshot(review: Review, *, now: datetime | None = None) -> None:
    """Take the figures again (a held review keeps the figures it was held with)."""
    now = now or utcnow()
    if review.status == ReviewStatus.held:
        raise ReviewError(_l("This review was held; its figures stay as they were."), "status")
    review.snapshot = snapshot.build(review.period_start, review.period_end, now=now)
    review.updated_at = now
    db.session.flush()


def save_notes(review: Review, *, notes: str, now: datetime | None = None) -> None:
    review.notes = (notes or "").strip()
    review.updated_at = now or utcnow()
    db.session.flush()


def hold_review(review: Review, *, now: datetime | None = None) -> None:
    """Mark the meeting held; the low-score tickets it showed count as looked at."""
    now = now or utcnow()
    if review.status == ReviewStatus.held:
        return
    review.status = ReviewStatus.held
    review.held_at = review.updated_at = now
    flagged = [row["survey_id"] for row in review.snapshot.get("satisfaction", {}).get("low", [])]
    if flagged:
        db.session.execute(
            sa.update(Survey)
            .where(Survey.id.in_(flagged), Survey.reviewed_in_id.is_(None))
            .values(reviewed_in_id=review.id)
        )
    db.session.flush()


def add_action(
    review: Review,
    *,
    title: str,
    owner: User | None,
    due_on: date | None,
    problem: Problem | None = None,
    article: Article | None = None,
    now: datetime | None = None,
) -> ActionItem:
    now = now or utcnow()
    title = " ".join((title or "").split())
    if not title:
        raise ReviewError(_l("Say what is to be done."), "title")
    if owner is not None and not owner.is_staff:
        raise ReviewError(_l("Action items belong to someone on the team."), "owner")
    action = ActionItem(
        review=review,
        title=title[:300],
        owner=owner,
        due_on=due_on,
        problem=problem,
        article=article,
        status=ActionStatus.open,
        created_at=now,
        updated_at=now,
    )
    db.session.add(action)
    db.session.flush()
    return action


def update_action(
    action: ActionItem,
    *,
    status: str,
    owner: User | None = None,
    due_on: date | None = None,
    now: datetime | None = None,
) -> None:
    """Move an action item along; done (or dropped) ends its follow-up."""
    now = now or utcnow()
    if status not in ActionStatus.__members__:
        raise ReviewError(_l("Choose a status."), "status")
    if owner is not None and not owner.is_staff:
        raise ReviewError(_l("Action items belong to someone on the team."), "owner")
    was_open = action.is_open
    action.status = status
    action.owner = owner
    action.due_on = due_on
    if was_open and not action.is_open:
        action.done_at = now
    elif action.is_open:
        action.done_at = None
    action.updated_at = now
    db.session.flush()


def create_due_review(*, now: datetime | None = None) -> Review | None:
    """The scheduled job's work: the draft review of the last finished period, once."""
    now = now or utcnow()
    cadence = current_app.config["REVIEWS_CADENCE"]
    zone = current_app.config["REVIEWS_TIMEZONE"] or current_app.config["DEFAULT_TIMEZONE"]
    start, end = snapshot.last_period(now, cadence, zone)
    exists = db.session.scalar(
        sa.select(Review.id).where(Review.period_start == start, Review.period_end == end)
    )
    if exists is not None:
        return None
    return create_review(period_start=start, period_end=end, cadence=cadence, now=now)
