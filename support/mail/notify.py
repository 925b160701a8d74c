"""Mail to customers about their tickets, in their language, sent through the outbox.

Receivers of support.signals, called inside the service's transaction: the outbox row commits or
rolls back with the change it reports.

- ticket_opened: "we received your request #N" to the requester, whatever the channel (the number
  and the tag in the subject are how their next mail finds the ticket);
- reply_added: a public reply written by staff goes to the requester. Internal notes never do, and
  nobody is sent their own message (a customer's mail or portal reply is not echoed back);
- status_changed to resolved: "resolved" to the requester, unless they resolved it themselves.

SLA warnings to staff are written by `sla.escalation` and go through the same outbox
(`core.mail.queue_mail`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core.extensions import db
from core.models import User
from support import signals
from support.mail.outbox import send_ticket_mail
from support.mail.senders import is_own_address
from support.models import Message, Status, Ticket

# Set by a later package (reviews) to put a satisfaction-survey link into the "resolved" mail.
survey_link: Callable[[Ticket], str | None] | None = None


def connect() -> None:
    """Listen to support's signals (idempotent: connecting twice keeps one receiver)."""
    signals.ticket_opened.connect(_opened)
    signals.reply_added.connect(_replied)
    signals.status_changed.connect(_status_changed)


def _opened(ticket: Ticket, *, now: datetime, **_kw) -> None:
    # The thread so far is at most the mail that opened the ticket: no need to query our outbox, nor
    # the messages when open_ticket left them in memory.
    if "messages" in sa.inspect(ticket).dict:
        references = [m.email_message_id for m in ticket.messages if m.email_message_id is not None]
    else:
        references = db.session.scalars(
            sa.select(Message.email_message_id).where(
                Message.ticket_id == ticket.id, Message.email_message_id.is_not(None)
            )
        ).all()
    _notify(ticket, ticket.requester, "received", now, references=list(references))


def _replied(ticket: Ticket, *, message: Message, now: datetime, **_kw) -> None:
    author = message.author
    if message.internal or author is None or not author.is_staff or author.id == ticket.requester_id:
        return
    _notify(ticket, ticket.requester, "reply", now, message=message)


def _status_changed(ticket: Ticket, *, new: str, actor: User | None, now: datetime, **_kw) -> None:
    if new != Status.resolved or (actor is not None and actor.id == ticket.requester_id):
        return
    _notify(ticket, ticket.requester, "resolved", now)


def _notify(
    ticket: Ticket,
    recipient: User,
    kind: str,
    now: datetime,
    message: Message | None = None,
    references: list[str] | None = None,
) -> None:
    config = current_app.config
    if not config["MAIL_NOTIFY"] or not recipient.active or is_own_address(recipient.email):
        return
    locale = recipient.locale if recipient.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]
    link = f"{config['BASE_URL'].rstrip('/')}/portal/tickets/{ticket.id}"
    with force_locale(locale):
        if kind == "received":
            subject = _("We received your request: %(subject)s", subject=ticket.subject)
        elif kind == "reply":
            subject = _("Re: %(subject)s", subject=ticket.subject)
        else:
            subject = _("Resolved: %(subject)s", subject=ticket.subject)
        body = (
            current_app.jinja_env.get_template(f"mail/{kind}.txt")
            .render(
                ticket=ticket,
                recipient=recipient,
                message=message,
                link=link,
                survey_link=survey_link(ticket) if survey_link and kind == "resolved" else None,
            )
            .strip()
        )
    send_ticket_mail(
        ticket,
        recipient,
        subject,
        body + "\n",
        category=f"ticket.{kind}",
        now=now,
        references=references,
    )
