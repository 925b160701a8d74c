"""Satisfaction surveys: a resolved ticket's requester gets a one-click link (and the portal asks too).

- One survey per ticket, answered once. The link carries a random token; only its SHA-256 is stored.
- The link expires after REVIEWS_SURVEY_DAYS. Resolving the ticket again while unanswered sends a new
  link (the old one stops working); an answered survey is never asked again.
- The mail's score links open the survey page with that score chosen; the answer is a POST from the
  page, so the link checkers of mail systems, which open every link, cannot answer for the customer.
- A score of LOW_SCORE or less flags the ticket for the next review.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.extensions import db
from core.mail import queue_mail
from core.models import User
from reviews.errors import ReviewError
from reviews.models import Survey
from reviews.queries import LOW_SCORE
from support.models import Status, Ticket

COMMENT_MAX = 2000
SCORES = (1, 2, 3, 4, 5)


class SurveyUnavailable(ReviewError):
    """The token is unknown, expired or already used; `reason` says which (not_found, expired, answered)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message, "token")
        self.reason = reason


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(ticket: Ticket, *, now: datetime | None = None) -> tuple[Survey, str] | None:
    """A new link for the ticket's survey: (survey, token), or None when it was answered already."""
    now = now or utcnow()
    survey = db.session.scalar(sa.select(Survey).where(Survey.ticket_id == ticket.id))
    if survey is not None and survey.answered:
        return None
    if survey is None:
        survey = Survey(ticket=ticket)
        db.session.add(survey)
    token = secrets.token_urlsafe(32)
    survey.token_hash = hash_token(token)
    survey.sent_at = now
    survey.expires_at = now + timedelta(days=current_app.config["REVIEWS_SURVEY_DAYS"])
    db.session.flush()
    return survey, token


def send(ticket: Ticket, *, now: datetime | None = None) -> Survey | None:
    """Issue a link and mail it to the requester after the commit."""
    issued = issue(ticket, now=now)
    if issued is None:
        return None
    survey, token = issued
    requester: User = ticket.requester
    with force_locale(requester.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("How did we do? Ticket #%(number)s", number=ticket.id)
        body = _mail_body(ticket, token)
    queue_mail(requester.email, subject, body, related=f"ticket:{ticket.id}", category="survey", now=now)
    return survey


def _mail_body(ticket: Ticket, token: str) -> str:
    # Built by hand: jobs resolve tickets too, outside any request that url_for could build on.
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/survey/{token}"
    lines = [
        _("Your ticket #%(number)s “%(subject)s” was resolved.", number=ticket.id, subject=ticket.subject),
        _("How satisfied are you with the help you got? Choose a score (5 is best):"),
        "",
        *(f"  {score}: {link}?score={score}" for score in reversed(SCORES)),
        "",
        _(
            "The link works for %(days)s days; no sign-in needed.",
            days=current_app.config["REVIEWS_SURVEY_DAYS"],
        ),
    ]
    return "\n".join(lines)


def survey_for_token(token: str, *, now: datetime | None = None) -> Survey:
    """The open survey this token opens, or SurveyUnavailable saying why not."""
    now = now or utcnow()
    survey = db.session.scalar(sa.select(Survey).where(Survey.token_hash == hash_token(token or "")))
    if survey is None:
        raise SurveyUnavailable(_l("This survey link is not valid."), "not_found")
    if survey.answered:
        raise SurveyUnavailable(_l("This survey was answered already. Thank you!"), "answered")
    if survey.expires_at <= now:
        raise SurveyUnavailable(_l("This survey link has expired."), "expired")
    return survey


def answer(
    survey: Survey,
    *,
    score: int,
    comment: str = "",
    channel: str,
    by: User | None = None,
    now: datetime | None = None,
) -> Survey:
    """Record the one answer of a survey; a low score flags the ticket for the next review."""
    now = now or utcnow()
    if survey.answered:
        raise SurveyUnavailable(_l("This survey was answered already. Thank you!"), "answered")
    if not isinstance(score, int) or isinstance(score, bool) or score not in SCORES:
        raise ReviewError(_l("Choose a score from 1 to 5."), "score")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ReviewError(
            _l("The comment is too long (at most %(max)s characters).", max=COMMENT_MAX), "comment"
        )
    survey.score = score
    survey.comment = comment
    survey.answered_at = now
    survey.answered_by = by
    survey.channel = channel
    if score <= LOW_SCORE:
        survey.flagged_at = now
    db.session.flush()
    return survey


def answer_on_portal(
    ticket: Ticket, *, user: User, score: int, comment: str = "", now: datetime | None = None
) -> Survey:
    """A customer answers from the ticket page: no token, their sign-in is the proof."""
    now = now or utcnow()
    if ticket.status not in (Status.resolved, Status.closed) or ticket.merged_into_id is not None:
        raise ReviewError(_l("You can rate the help once the ticket is resolved."), "score")
    survey = db.session.scalar(sa.select(Survey).where(Survey.ticket_id == ticket.id))
    if survey is None:  # resolved before surveys existed, or the mail was never sent
        survey, _token = issue(ticket, now=now)
    return answer(survey, score=score, comment=comment, channel="portal", by=user, now=now)


def on_status_changed(ticket: Ticket, *, old: str, new: str, now: datetime, **_details) -> None:
    """Listener: a resolved ticket (or one closed without being resolved first) gets its survey."""
    if ticket.merged_into_id is not None:
        return
    if new == Status.resolved or (
        new == Status.closed and old != Status.resolved and not _has_survey(ticket)
    ):
        send(ticket, now=now)


def _has_survey(ticket: Ticket) -> bool:
    return db.session.scalar(sa.select(Survey.id).where(Survey.ticket_id == ticket.id)) is not None
