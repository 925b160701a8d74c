"""Writes on tickets. Every channel (portal, queue, API, mail) goes through these functions.

Services take plain keyword arguments and an injectable `now`, record every change as a TicketEvent,
send a signal so `sla` and others react in the same transaction, flush, and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from core.db import utcnow
from core.extensions import db
from core.failpoints import failpoint
from core.models import Organisation, User
from support import signals
from support.attachments import Upload, check_upload, store
from support.models import (
    DETAIL_FIELDS,
    Channel,
    Kind,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

SUBJECT_MAX = 200
BODY_MAX = 100_000


class TicketError(ValueError):
    """A change that the ticket's rules refuse; `field` names what to correct."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleTicket(Exception):
    """The ticket changed since the caller read it (optimistic locking)."""

    def __init__(self, ticket: Ticket, expected: int):
        super().__init__(f"ticket #{ticket.id} is at version {ticket.version}, not {expected}")
        self.ticket = ticket
        self.expected = expected


def open_ticket(
    *,
    requester: User,
    subject: str,
    body: str,
    kind: str = Kind.question,
    priority: str = Priority.normal,
    channel: str = Channel.web,
    product: str = "",
    component: str = "",
    details: dict | None = None,
    attachments: Sequence[Upload] = (),
    organisation: Organisation | None = None,
    actor: User | None = None,
    body_html: str | None = None,
    email_message_id: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Create a ticket with its first message; `actor` is who filed it when not the requester."""
    now = now or utcnow()
    subject = _clean_subject(subject)
    _require(kind, Kind, "kind")
    _require(priority, Priority, "priority")
    _require(channel, Channel, "channel")
    for upload in attachments:
        check_upload(upload)
    ticket = Ticket(
        subject=subject,
        kind=kind,
        priority=priority,
        status=Status.new,
        channel=channel,
        requester=requester,
        organisation=organisation or requester.organisation,
        product=(product or "").strip()[:100],
        component=(component or "").strip()[:100],
        details=_clean_details(kind, details or {}),
        created_at=now,
        updated_at=now,
    )
    db.session.add(ticket)
    # No flush yet: the first message's flush writes both.
    message = _new_message(
        ticket,
        author=requester,
        body=body,
        internal=False,
        channel=channel,
        attachments=attachments,
        body_html=body_html,
        email_message_id=email_message_id,
        now=now,
    )
    _record(
        ticket,
        actor or requester,
        "created",
        now,
        channel=channel,
        kind=kind,
        priority=priority,
        message_id=message.id,
    )
    # Receivers see the event unflushed (as they do a status change's); one flush after them writes
    # it with whatever they added (SLA clocks, the acknowledgement mail).
    signals.ticket_opened.send(ticket, now=now)
    signals.reply_added.send(ticket, message=message, now=now, opening=True)
    db.session.flush()
    failpoint("ticket.create.before_commit")
    return ticket


def add_message(
    ticket: Ticket,
    *,
    author: User | None,
    body: str,
    internal: bool = False,
    channel: str = Channel.web,
    attachments: Sequence[Upload] = (),
    body_html: str | None = None,
    email_message_id: str | None = None,
    now: datetime | None = None,
) -> Message:
    """Add a public reply or an internal note, and move the ticket on as a support desk should.

    A customer's message reopens a pending or resolved ticket; the first public staff reply marks the
    first response and takes a new ticket to open.
    """
    now = now or utcnow()
    by_staff = author is not None and author.is_staff
    if internal and not by_staff:
        raise TicketError(_l("Only staff can write internal notes."), "internal")
    if ticket.merged_into_id is not None:
        raise TicketError(
            _l("This ticket was merged into #%(number)s; reply there.", number=ticket.merged_into_id), "body"
        )
    if ticket.status == Status.closed and not by_staff:
        raise TicketError(_l("This ticket is closed; reopen it to write again."), "body")
    for upload in attachments:
        check_upload(upload)
    message = _new_message(
        ticket,
        author=author,
        body=body,
        internal=internal,
        channel=channel,
        attachments=attachments,
        body_html=body_html,
        email_message_id=email_message_id,
        now=now,
    )
    _record(
        ticket,
        author,
        "noted" if internal else "replied",
        now,
        message_id=message.id,
        by_staff=by_staff,
        channel=channel,
    )
    ticket.updated_at = now
    if internal:
        db.session.flush()
        signals.note_added.send(ticket, message=message, now=now)
        return message
    if by_staff:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        if ticket.status == Status.new:
            _set_status(ticket, Status.open, author, now)
    elif ticket.status in (Status.pending, Status.resolved):
        _set_status(ticket, Status.open, author, now)
    signals.reply_added.send(ticket, message=message, now=now)
    db.session.flush()
    return message


def update_ticket(
    ticket: Ticket,
    *,
    actor: User | None,
    expected_version: int | None = None,
    now: datetime | None = None,
    **changes,
) -> list[str]:
    """Change status, priority, assignee, kind, product, component or subject; returns what changed.

    `expected_version` is the version the caller's form or API read showed: if someone changed the
    ticket since, StaleTicket is raised and nothing is written, so nobody's change is silently lost.
    `assignee` is a User or None (unassign); the other values are strings.
    """
    now = now or utcnow()
    if expected_version is not None and expected_version != ticket.version:
        raise StaleTicket(ticket, expected_version)
    allowed = {"status", "priority", "assignee", "kind", "product", "component", "subject"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    changed: list[str] = []
    if "subject" in changes and (subject := _clean_subject(changes["subject"])) != ticket.subject:
        _set_field(ticket, "subject", subject, actor, now)
        changed.append("subject")
    for field, enum in (("kind", Kind), ("priority", Priority)):
        if field in changes and changes[field] != getattr(ticket, field):
            _require(changes[field], enum, field)
            _set_field(ticket, field, changes[field], actor, now)
            changed.append(field)
    for field in ("product", "component"):
        if field in changes and (value := (changes[field] or "").strip()[:100]) != getattr(ticket, field):
            _set_field(ticket, field, value, actor, now)
            changed.append(field)
    if "assignee" in changes and changes["assignee"] is not ticket.assignee:
        assign(ticket, changes["assignee"], actor=actor, now=now)
        changed.append("assignee")
    if "status" in changes and changes["status"] != ticket.status:
        change_status(ticket, changes["status"], actor=actor, now=now)
        changed.append("status")
    if changed:
        ticket.updated_at = now
        db.session.flush()
    return changed


def change_status(ticket: Ticket, status: str, *, actor: User | None, now: datetime | None = None) -> None:
    """Move a ticket to `status`. Customers may only close or reopen their own tickets."""
    now = now or utcnow()
    _require(status, Status, "status")
    if ticket.merged_into_id is not None:
        raise TicketError(
            _l("This ticket was merged into #%(number)s.", number=ticket.merged_into_id), "status"
        )
    if actor is not None and not actor.is_staff:
        reopening = status == Status.open and ticket.status in (Status.resolved, Status.closed)
        closing = status in (Status.resolved, Status.closed) and ticket.status != Status.closed
        if not (reopening or closing):
            raise TicketError(_l("Customers can only close or reopen a ticket."), "status")
    if status == ticket.status:
        return
    _set_status(ticket, Status(status), actor, now)
    ticket.updated_at = now
    db.session.flush()


def assign(ticket: Ticket, assignee: User | None, *, actor: User | None, now: datetime | None = None) -> None:
    """Give the ticket to an engineer (or nobody)."""
    now = now or utcnow()
    if assignee is not None and not assignee.is_staff:
        raise TicketError(_l("Tickets can only be assigned to engineers."), "assignee")
    old = ticket.assignee
    if old is assignee:
        return
    ticket.assignee = assignee
    ticket.updated_at = now
    _record(
        ticket,
        actor,
        "assigned",
        now,
        **{
            "from": old.display_name if old else None,
            "to": assignee.display_name if assignee else None,
            "from_id": old.id if old else None,
            "to_id": assignee.id if assignee else None,
        },
    )
    db.session.flush()
    signals.ticket_changed.send(ticket, field="assignee", old=old, new=assignee, actor=actor, now=now)


def bulk_update(
    tickets: Iterable[Ticket], *, actor: User, now: datetime | None = None, **changes
) -> dict[int, str]:
    """Apply the same change to several tickets; returns {number: error} for the ones refused."""
    now = now or utcnow()
    refused: dict[int, str] = {}
    for ticket in tickets:
        try:
            with db.session.begin_nested():
                update_ticket(ticket, actor=actor, now=now, **changes)
        except TicketError as exc:
            refused[ticket.id] = str(exc)
    return refused


def merge_tickets(source: Ticket, target: Ticket, *, actor: User, now: datetime | None = None) -> None:
    """Merge a duplicate into another ticket: its thread moves over and it closes, pointing at the target."""
    now = now or utcnow()
    if source.id == target.id:
        raise TicketError(_l("A ticket cannot be merged into itself."), "target")
    if target.merged_into_id is not None:
        raise TicketError(
            _l("#%(number)s was itself merged into #%(into)s.", number=target.id, into=target.merged_into_id),
            "target",
        )
    if source.merged_into_id is not None:
        raise TicketError(
            _l("This ticket was already merged into #%(number)s.", number=source.merged_into_id), "target"
        )
    if source.organisation_id != target.organisation_id:
        # Moving a thread between customers would show one organisation's messages to another.
        raise TicketError(_l("Tickets of different organisations cannot be merged."), "target")
    moved = db.session.execute(
        sa.update(Message).where(Message.ticket_id == source.id).values(ticket_id=target.id)
    ).rowcount
    db.session.expire(source, ["messages"])
    db.session.expire(target, ["messages"])
    source.merged_into_id = target.id
    _record(source, actor, "merged_into", now, target=target.id, messages=moved)
    _record(target, actor, "merged_from", now, source=source.id, messages=moved, subject=source.subject)
    if source.status != Status.closed:
        _set_status(source, Status.closed, actor, now)
    source.updated_at = target.updated_at = now
    db.session.flush()
    signals.ticket_merged.send(source, target=target, actor=actor, now=now)


# -- helpers ---------------------------------------------------------------------------------------


def _new_message(
    ticket: Ticket,
    *,
    author: User | None,
    body: str,
    internal: bool,
    channel: str,
    attachments: Sequence[Upload],
    body_html: str | None,
    email_message_id: str | None,
    now: datetime,
) -> Message:
    # Browsers send a text area's lines ending in CRLF; every channel stores plain newlines.
    body = (body or "").replace("\r\n", "\n").strip()
    if not body and not attachments:
        raise TicketError(_l("Write a message or attach a file."), "body")
    if len(body) > BODY_MAX:
        raise TicketError(_l("The message is too long (at most %(max)s characters).", max=BODY_MAX), "body")
    message = Message(
        ticket=ticket,
        author=author,
        body=body,
        body_html=body_html,
        internal=internal,
        channel=channel,
        email_message_id=email_message_id,
        created_at=now,
    )
    for upload in attachments:
        attachment = store(upload)
        attachment.created_at = now
        message.attachments.append(attachment)
    db.session.add(message)
    db.session.flush()
    return message


def _set_status(ticket: Ticket, status: Status, actor: User | None, now: datetime) -> None:
    old = ticket.status
    ticket.status = status
    if status == Status.resolved:
        ticket.resolved_at = now
    elif status == Status.closed:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    else:
        ticket.resolved_at = ticket.closed_at = None
    _record(ticket, actor, "status_changed", now, **{"from": old, "to": str(status)})
    signals.status_changed.send(ticket, old=old, new=str(status), actor=actor, now=now)


def _set_field(ticket: Ticket, field: str, value, actor: User | None, now: datetime) -> None:
    old = getattr(ticket, field)
    setattr(ticket, field, value)
    _record(ticket, actor, "field_changed", now, field=field, **{"from": old, "to": value})
    signals.ticket_changed.send(ticket, field=field, old=old, new=value, actor=actor, now=now)


def _record(ticket: Ticket, actor: User | None, event_kind: str, now: datetime, **data) -> TicketEvent:
    event = TicketEvent(actor=actor, kind=event_kind, data=data, at=now)
    state = sa.inspect(ticket)
    if state.persistent and "events" not in state.dict:
        # By key when the ticket's `events` are not loaded: a pending append to that collection would
        # mark the ticket changed, and every flush until the commit would process it for nothing.
        # A later read of `events` loads them, this one included (it autoflushes).
        event.ticket_id = ticket.id
        set_committed_value(event, "ticket", ticket)
    else:
        event.ticket = ticket
    db.session.add(event)
    return event


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise TicketError(_l("Give the ticket a subject."), "subject")
    if len(subject) > SUBJECT_MAX:
        raise TicketError(
            _l("The subject is too long (at most %(max)s characters).", max=SUBJECT_MAX), "subject"
        )
    return subject


def _clean_details(kind: str, details: dict) -> dict:
    fields = DETAIL_FIELDS[Kind(kind)]
    return {
        k: str(details[k]).replace("\r\n", "\n").strip()[:5000]
        for k in fields
        if details.get(k) not in (None, "")
    }


def _require(value: str, enum, field: str) -> None:
    if value not in enum.__members__:
        raise TicketError(
            _l(
                "Unknown value %(value)r; choose one of %(choices)s.",
                value=value,
                choices=", ".join(enum.__members__),
            ),
            field,
        )
