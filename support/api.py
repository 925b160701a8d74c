"""REST API for tickets under /api/v1 (flask-smorest); the OpenAPI document is /api/v1/openapi.json.

Every call carries `Authorization: Bearer <token>` (`flask tokens create EMAIL`); without a valid
token the answer is 401. What an integrator can rely on:

- Every error is JSON: `{"code", "status", "message", "errors"}`. `errors` maps where the bad input
  was (`json` for the body, `query`, `headers`) to `{field: [messages]}`: flask-smorest's shape for
  schema errors, and the same shape for the rules the services enforce (`TicketError.field`), so a
  client reads every 422 one way.
- A customer sees their organisation's tickets only; any other ticket is 404, exactly like a number
  that does not exist.
- A customer may close or reopen a ticket and edit its subject, product and component. Sending
  `priority`, `kind` or `assignee` is a 422 naming that field, like a status change the service
  refuses; so are `requester_email` on a new ticket and `internal: true` on a message.
- Customers never see internal notes: neither in `messages` nor as "noted" events in `history`
  (the rest of the history of their tickets is theirs to read).
- `GET /tickets` lists every status unless `status` is given (the queue page shows open ones).
- Optimistic locking: PATCH takes the `version` you read, in the body or as `If-Match`; when the
  ticket changed since, 409 and nothing is written.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort
from sqlalchemy.orm.exc import StaleDataError

from core import idempotency
from core.api import api_user, error_responses, require_token
from core.extensions import db
from core.failpoints import failpoint
from core.models import User
from core.services import normalise_email
from kb import queries as kb_queries
from kb.models import Article
from support import queries, services
from support.attachments import path_of, send_attachment
from support.models import Channel, Status, Ticket
from support.schemas import (
    MAX_ID,
    EventOut,
    IfMatchHeader,
    MessageIn,
    MessageOut,
    TicketIn,
    TicketListArgs,
    TicketOut,
    TicketPageOut,
    TicketPatch,
)

blp = Blueprint("tickets", __name__, url_prefix="/api/v1", description="Tickets")

# Numbers beyond a 32-bit id are 404 like any other unknown number, never a database error.
TICKET = f"/tickets/<int(min=1, max={MAX_ID}):number>"
ALL_STATUSES = [s.value for s in Status]
# Triage belongs to the support team; a customer who sends these gets a 422 naming the field.
STAFF_ONLY_CHANGES = ("priority", "kind", "assignee")
ARTICLE_EVENTS = ("article_linked", "article_unlinked")


require_token(blp)


_user = api_user


_errors = error_responses(blp)


def _refuse(field: str, message: str, *, location: str = "json"):
    """Answer 422 naming the field, in the shape flask-smorest gives schema errors."""
    db.session.rollback()
    abort(422, message=message, errors={location: {field: [message]}})


def _conflict(ticket_number: int):
    db.session.rollback()
    current = db.session.scalar(sa.select(Ticket.version).where(Ticket.id == ticket_number))
    abort(
        409,
        message=_(
            "Ticket #%(number)s changed since you read it (it is now at version %(version)s). "
            "Read it again and retry.",
            number=ticket_number,
            version=current,
        ),
    )


def _ticket_or_404(number: int) -> Ticket:
    ticket = queries.ticket_for(_user(), number)
    if ticket is None:
        abort(404, message=_("No ticket #%(number)s.", number=number))
    return ticket


def _active_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(User.email == normalise_email(email), User.active.is_(True))
    )


# -- tickets ---------------------------------------------------------------------------------------


@blp.post("/tickets")
@blp.doc(parameters=[idempotency.PARAMETER])
@idempotency.idempotent
@blp.arguments(TicketIn)
@blp.response(201, TicketOut)
@_errors(400, 401)
def create_ticket(data: dict):
    """File a ticket

    The ticket's channel is "api". Staff may file on behalf of an existing account by giving
    `requester_email`; the ticket then belongs to that person's organisation. With an
    `Idempotency-Key` header, sending the same request again gives the first answer again.
    """
    user = _user()
    requester = user
    email = data.pop("requester_email", None)
    if email is not None:
        if not user.is_staff:
            _refuse("requester_email", _("Only staff can file a ticket on behalf of someone else."))
        requester = _active_user_by_email(email)
        if requester is None:
            _refuse("requester_email", _("No active account has this email address."))
    try:
        ticket = services.open_ticket(requester=requester, actor=user, channel=Channel.api, **data)
    except services.TicketError as exc:
        _refuse(exc.field or "_schema", str(exc))
    location = url_for(".ticket", number=ticket.number, _external=True)
    idempotency.remember(201, TicketOut(), ticket, location=location)
    db.session.commit()
    failpoint("api.ticket.committed")  # tests/faults: the answer lost after the work was done
    return ticket, 201, {"Location": location}


@blp.get("/tickets")
@blp.arguments(TicketListArgs, location="query")
@blp.response(200, TicketPageOut)
@_errors(401)
def list_tickets(args: dict):
    """List tickets

    Keyset pagination: follow `next_cursor` (or `prev_cursor`) with the same filters and sort; a
    page never repeats a ticket of the page before it. Customers get their organisation's tickets.
    """
    sort = args["sort"]
    cursor = args.get("cursor")
    if cursor and not queries.cursor_is_valid(cursor, sort):
        _refuse("cursor", _("This cursor was not made for this list; start without one."), location="query")
    filters = queries.TicketFilter(
        statuses=args.get("status") or ALL_STATUSES,
        kind=args.get("kind"),
        priority=args.get("priority"),
        assignee=args.get("assignee"),
        organisation_id=args.get("organisation"),
        product=args.get("product"),
        text=args.get("q"),
    )
    return queries.ticket_page(_user(), filters, sort=sort, cursor=cursor, limit=args["limit"])


@blp.get(TICKET)
@blp.response(200, TicketOut)
@_errors(401, 404)
def ticket(number: int):
    """Read a ticket"""
    return _ticket_or_404(number)


@blp.patch(TICKET)
@blp.arguments(TicketPatch)
@blp.arguments(IfMatchHeader, location="headers")
@blp.response(200, TicketOut)
@_errors(400, 401, 404, 409)
def update_ticket(changes: dict, headers: dict, number: int):
    """Change a ticket

    Staff change status, priority, kind, assignee (an engineer's id or email; null unassigns),
    subject, product and component. Customers may close (resolved, closed) or reopen (open) and
    edit subject, product and component; `priority`, `kind` and `assignee` from a customer are a
    422 naming the field. Send the `version` you read (or `If-Match: "<version>"`) to get a 409
    instead of overwriting someone else's change.
    """
    user = _user()
    ticket = _ticket_or_404(number)
    if not user.is_staff:
        for field in STAFF_ONLY_CHANGES:
            if field in changes:
                _refuse(field, _("Only the support team can change this."))
    expected = changes.pop("version", None)
    tag = headers.get("if_match")
    if tag is not None and tag != ticket.version:
        _conflict(number)
    if "assignee" in changes:
        changes["assignee"] = _assignee(changes["assignee"])
    try:
        services.update_ticket(ticket, actor=user, expected_version=expected, **changes)
        db.session.commit()
    except (services.StaleTicket, StaleDataError):
        _conflict(number)
    except services.TicketError as exc:
        _refuse(exc.field or "_schema", str(exc))
    return ticket


def _assignee(ref: int | str | None) -> User | None:
    if ref is None:
        return None
    if isinstance(ref, int):
        found = db.session.get(User, ref)
        assignee = found if found is not None and found.active else None
    else:
        assignee = _active_user_by_email(ref)
    if assignee is None:
        _refuse("assignee", _("No active account matches this assignee."))
    return assignee


# -- thread and history ----------------------------------------------------------------------------


@blp.get(TICKET + "/messages")
@blp.response(200, MessageOut(many=True))
@_errors(401, 404)
def messages(number: int):
    """Read the thread

    Oldest first. Staff also get internal notes (`internal: true`); customers never do.
    """
    ticket = _ticket_or_404(number)
    return queries.thread(ticket, include_internal=_user().is_staff)


@blp.post(TICKET + "/messages")
@blp.doc(parameters=[idempotency.PARAMETER])
@idempotency.idempotent
@blp.arguments(MessageIn)
@blp.response(201, MessageOut)
@_errors(400, 401, 404, 409)
def add_message(data: dict, number: int):
    """Reply, or write an internal note

    `internal: true` writes a note only staff can read (a customer sending it gets a 422 naming
    `internal`). A customer's message reopens a pending or resolved ticket; the first public staff
    reply opens a new one. With an `Idempotency-Key` header, sending the same request again gives
    the first answer again.
    """
    user = _user()
    ticket = _ticket_or_404(number)
    try:
        message = services.add_message(ticket, author=user, channel=Channel.api, **data)
        idempotency.remember(201, MessageOut(), message)
        db.session.commit()
    except StaleDataError:
        _conflict(number)
    except services.TicketError as exc:
        _refuse(exc.field or "_schema", str(exc))
    return message


@blp.get(TICKET + "/history")
@blp.response(200, EventOut(many=True))
@_errors(401, 404)
def history(number: int):
    """Read the history

    Every recorded change, oldest first. Customers see the history of their organisation's tickets
    except the "noted" events, which are about internal notes, and links to articles they may not
    read (drafts, internal articles).
    """
    user = _user()
    events = queries.history(_ticket_or_404(number))
    if not user.is_staff:
        events = [event for event in events if event.kind != "noted"]
        events = _without_unreadable_articles(events, user)
    return events


def _without_unreadable_articles(events: list, user: User) -> list:
    # The event carries the article's title: a draft's title is the team's until it is published.
    ids = {e.data.get("article_id") for e in events if e.kind in ARTICLE_EVENTS}
    readable = set()
    if ids:
        query = sa.select(Article.id).where(Article.id.in_(ids), kb_queries.readable_by(user))
        readable = set(db.session.scalars(query))
    return [e for e in events if e.kind not in ARTICLE_EVENTS or e.data.get("article_id") in readable]


@blp.get(f"/attachments/<int(min=1, max={MAX_ID}):attachment_id>/<path:filename>")
@blp.doc(
    responses={
        "200": {
            "description": "The file, always as a download.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@_errors(401, 404)
def attachment(attachment_id: int, filename: str):
    """Download an attachment

    The `url` of a message's attachment; same rights as the message (customers: public messages of
    their organisation's tickets).
    """
    found = queries.attachment_for(_user(), attachment_id)
    if found is None or not path_of(found).exists():
        abort(404, message=_("No such attachment."))
    return send_attachment(found)
