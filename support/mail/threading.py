"""Which ticket a mail answers.

A reply joins its ticket through the Message-IDs it answers (In-Reply-To, then References from the
most recent back): the ID of a mail we sent about the ticket, or of an earlier mail of the ticket's
thread. Without such an ID the `[#NUMBER]` tag in the subject decides. A mail with neither starts a
new ticket. Whether the sender may add to the ticket found is decided by the caller (ingest.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import sqlalchemy as sa

from core.extensions import db
from core.mail import sender_address
from core.mail_models import OutboundMail
from core.models import User
from support.mail.parse import ParsedMail
from support.models import Message, Ticket

ID_MAX = 500  # Message.email_message_id and InboundMail.message_id
_TAG = re.compile(r"\[#(\d{1,9})\]")
_OUR_ID = re.compile(r"^ticket-(\d{1,9})\.[0-9a-f]+@")
_RELATED = re.compile(r"^ticket:(\d{1,9})$")
_MAX_MERGE_HOPS = 10
# Built once: building a statement costs more than running it, and every reply runs these.
_SENT = (
    sa.select(OutboundMail.message_id, OutboundMail.related, User.role)
    .outerjoin(User, User.email == OutboundMail.recipient)
    .where(OutboundMail.message_id.in_(sa.bindparam("ids", expanding=True)))
)
_RECEIVED = sa.select(Message.email_message_id, Message.ticket_id).where(
    Message.email_message_id.in_(sa.bindparam("ids", expanding=True))
)


@dataclass
class Thread:
    ticket: Ticket | None = None
    via: str = ""  # "message-id", "tag" or "" (a new conversation)
    # It answers a mail we sent to a member of staff (an SLA warning): their answer is an internal
    # note, never a reply that reaches the customer.
    to_staff: bool = False


def storage_id(message_id: str) -> str:
    """A Message-ID cut to fit the 500-character columns, still unique (a hash replaces the tail)."""
    if len(message_id) <= ID_MAX:
        return message_id
    return message_id[: ID_MAX - 65] + "#" + hashlib.sha256(message_id.encode()).hexdigest()


def strip_tags(subject: str) -> str:
    """The subject without our `[#NUMBER]` tags (a new ticket must not carry another one's tag)."""
    return " ".join(_TAG.sub(" ", subject).split())


def find_thread(mail: ParsedMail) -> Thread:
    """The ticket `mail` answers, following merges; Thread() when it starts a new conversation."""
    thread = _by_message_id(mail)
    if thread.ticket is None and (match := _TAG.search(mail.subject)):
        thread.ticket, thread.via = db.session.get(Ticket, int(match.group(1))), "tag"
    if thread.ticket is not None:
        thread.ticket = _follow_merges(thread.ticket)
    return thread


def _by_message_id(mail: ParsedMail) -> Thread:
    # Most recent first: In-Reply-To, then References from the end.
    wanted = [storage_id(i) for i in dict.fromkeys([mail.in_reply_to, *reversed(mail.references)]) if i]
    if not wanted:
        return Thread()
    tickets: dict[str, int] = {}
    to_staff = False
    sent = db.session.execute(_SENT, {"ids": wanted}).all()
    for message_id, related, role in sent:
        if match := _RELATED.match(related):
            tickets[message_id] = int(match.group(1))
        if role in ("engineer", "admin"):
            to_staff = True
    received = db.session.execute(_RECEIVED, {"ids": wanted}).all()
    for message_id, ticket_id in received:
        tickets.setdefault(message_id, ticket_id)
    our_domain = "@" + sender_address().rpartition("@")[2]
    for message_id in wanted:
        number = tickets.get(message_id)
        if number is None and message_id.endswith(our_domain) and (match := _OUR_ID.match(message_id)):
            # One of our own IDs whose outbox row is gone: the number is in the ID itself.
            number = int(match.group(1))
        if number is not None and (ticket := db.session.get(Ticket, number)) is not None:
            return Thread(ticket, "message-id", to_staff)
    return Thread(to_staff=to_staff)


def _follow_merges(ticket: Ticket) -> Ticket:
    for _hop in range(_MAX_MERGE_HOPS):
        if ticket.merged_into_id is None:
            break
        ticket = db.session.get(Ticket, ticket.merged_into_id) or ticket
    return ticket
