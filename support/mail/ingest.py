"""The one way in for mail: IMAP, the MTA pipe, the REST endpoint and LMTP all call `ingest`.

parse -> dedupe -> noise -> sender -> thread -> `open_ticket` or `add_message`, in one transaction
whose first write is the raw message (an `InboundMail` row), so every outcome keeps the mail:

- exactly once: a Message-ID seen before is a `duplicate` (a row that owns its ID is the only one
  that can, see InboundMail.dedupe_key); a mail without Message-ID is known by a hash of its bytes;
- a failure that is not the mail's fault (the database is down or locked, the disk is full) raises
  TemporaryFailure and commits nothing: IMAP leaves the mail unseen, the pipe exits 75, LMTP and the
  API answer 4xx/503, and the mail comes again;
- any other failure on one mail (a bug, a refusal by a service) quarantines it with the error,
  raw kept for an admin to re-process after the fix.

A sender who may not see the ticket their mail points at (by tag or by Message-ID) gets a new
ticket of their own rather than a quarantine: nothing of theirs is lost and nothing is shown on a
ticket that is not theirs. A customer's reply to a closed ticket also opens a new ticket.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from core.db import utcnow, writing
from core.extensions import db
from core.failpoints import failpoint
from core.mail import sender_address
from core.mail_models import OutboundMail
from support import queries, services
from support.attachments import AttachmentRejected, Upload, check_upload, store
from support.mail import senders
from support.mail.models import InboundMail, Outcome
from support.mail.parse import ParsedMail, parse_message, ticket_subject
from support.mail.threading import Thread, find_thread, storage_id, strip_tags
from support.models import Channel, Status, Ticket

# Failures that say nothing about the mail: try the same mail again later. (StaleDataError: someone
# changed the ticket while the mail was being added to it.)
TEMPORARY = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError, StaleDataError, OSError)
# Why a mail was ignored or quarantined (InboundMail.reason); the admin pages name them.
REASONS = (
    "own_mail",  # our own outgoing mail came back
    "auto_reply",  # Auto-Submitted, Precedence bulk/junk/list, X-Autoreply, an out-of-office subject
    "bounce",  # a delivery status notification
    "no_sender",  # no usable From address
    "inactive_sender",  # the sender's account is deactivated or was never confirmed
    "unknown_sender",  # MAIL_UNKNOWN_SENDERS is "quarantine"
    "rate_limited",  # more than MAIL_SENDER_LIMIT_PER_HOUR from this address
    "error",  # filing raised; InboundMail.error says what
)


# Built once: these run for every mail, and building a statement costs more than running it.
_INBOUND = InboundMail.__table__
_FIRST_DELIVERY = sa.select(_INBOUND.c.id, _INBOUND.c.ticket_id).where(
    _INBOUND.c.dedupe_key == sa.bindparam("key")
)
_INSERT = sa.insert(_INBOUND)
_SETTLE = (
    sa.update(_INBOUND)
    .where(_INBOUND.c.id == sa.bindparam("row"))
    .values({name: sa.bindparam(f"new_{name}") for name in ("outcome", "ticket_id", "message_row_id")})
)


class TemporaryFailure(Exception):
    """The mail could not be taken now; nothing was stored and it should be delivered again."""


@dataclass
class Result:
    action: str
    ticket: int | None = None
    inbound_id: int | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "ticket": self.ticket,
            "inbound_id": self.inbound_id,
            "reason": self.reason,
        }


def size_text(size: int) -> str:
    """A mail's size for people: "30 MB", "20 KB"."""
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size / 1024:.0f} KB"


def ingest(raw: bytes, *, source: str = "", now: datetime | None = None) -> Result:
    """Store one raw RFC 5322 message and file it; commits. Raises TemporaryFailure."""
    return ingest_batch([raw], source=source, now=now)[0]


def ingest_batch(raws: list[bytes], *, source: str = "", now: datetime | None = None) -> list[Result]:
    """Store and file several messages in one transaction, each inside its own savepoint.

    One commit (one fsync on SQLite) for the lot is what lets `flask mail ingest` take a folder of
    mail quickly; a caller that acknowledges each mail (IMAP, LMTP, the API) passes one at a time.
    All or nothing: a temporary failure commits none of them.
    """
    try:
        return _commit_all(raws, source, now)
    except sa.exc.IntegrityError:
        # Another process took one of these Message-IDs between our check and our insert. Filed
        # again (one by one, so the others do not depend on it), it finds that row: a duplicate.
        db.session.rollback()
        if len(raws) > 1:
            return [ingest(raw, source=source, now=now) for raw in raws]
        return _commit_all(raws, source, now)


def _commit_all(raws: list[bytes], source: str, now: datetime | None) -> list[Result]:
    try:
        with writing():  # SQLite: take the write lock up front, as a web request posting a reply does
            results = [_stage(bytes(raw), source, now or utcnow()) for raw in raws]
            db.session.commit()
    except TEMPORARY as exc:
        db.session.rollback()
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    return results


def reprocess(row: InboundMail, *, force_ticket: bool = False, now: datetime | None = None) -> Result:
    """File a stored mail again (after a parser fix, or when an admin releases it from quarantine).

    `force_ticket` opens a ticket whatever the noise, sender and rate rules say. Flushes; the
    caller commits.
    """
    now = now or utcnow()
    mail = parse_message(row.raw)
    row.from_email, row.subject = mail.from_email[:254], mail.subject[:300]
    row.reason, row.error, row.processed_at = "", None, now
    _file_safely(row, mail, now, force_ticket=force_ticket)
    db.session.flush()
    return _result(row)


def mail_key(mail: ParsedMail, raw: bytes) -> str:
    """What makes two deliveries the same mail: its Message-ID, else the hash of its bytes."""
    if mail.message_id:
        return storage_id(mail.message_id)
    return hashlib.sha256(raw).hexdigest() + "@no-message-id.invalid"


def _stage(raw: bytes, source: str, now: datetime) -> Result:
    """Store and file one message; flushes, the caller commits."""
    mail = parse_message(raw)
    key = mail_key(mail, raw)
    db.session.flush()  # the look-up sees what the caller left pending, as an ORM query would
    first = db.session.connection().execute(_FIRST_DELIVERY, {"key": key}).first()
    # Written at once: a concurrent twin fails here, outside the per-mail error handling.
    row = _insert_row(
        received_at=now,
        processed_at=now,
        source=source[:100],
        raw=raw,
        message_id=key,
        dedupe_key=None if first else key,
        from_email=mail.from_email[:254],
        subject=mail.subject[:300],
        outcome=Outcome.duplicate if first else Outcome.quarantined,
        reason="",
        error=None,
        ticket_id=first.ticket_id if first else None,
        message_row_id=None,
    )
    if first is None:
        _file_safely(row, mail, now)
    db.session.flush()
    failpoint("mail.ingest.staged")
    return _result(row)


def _insert_row(**values) -> InboundMail:
    """A plain INSERT, then the row joins the session as if loaded: an ORM flush of this one row
    would cost several times the statement, once per mail."""
    inserted = db.session.connection().execute(_INSERT, values)
    row = InboundMail(id=inserted.inserted_primary_key[0], **values)
    make_transient_to_detached(row)
    db.session.add(row)
    return row


def _file_safely(row: InboundMail, mail: ParsedMail, now: datetime, *, force_ticket: bool = False) -> None:
    try:
        with db.session.begin_nested():
            _file(row, mail, now, force_ticket)
    except TEMPORARY:
        raise
    except Exception as exc:  # the mail's own problem: keep it for an admin, with what went wrong
        current_app.logger.warning("mail %s quarantined: %r", row.message_id, exc)
        row.outcome, row.reason, row.ticket, row.message = Outcome.quarantined, "error", None, None
        row.error = "".join(traceback.format_exception_only(exc)).strip()[:4000]


def _file(row: InboundMail, mail: ParsedMail, now: datetime, force_ticket: bool) -> None:
    if not force_ticket and (noise := _noise(mail)):
        row.outcome, row.reason = Outcome.ignored, noise
        return
    sender = senders.identify(mail.from_email, mail.from_name)
    refusal = sender.refusal if sender.refusal == "no_sender" or not force_ticket else ""
    if not refusal and not force_ticket and senders.over_limit(mail.from_email, now, besides=row.id):
        refusal = "rate_limited"
    if refusal:
        row.outcome, row.reason = Outcome.quarantined, refusal
        return
    thread = Thread() if force_ticket else find_thread(mail)
    author = senders.account_for(sender)
    ticket = thread.ticket
    if ticket is not None and not _may_add(author, ticket):
        ticket = None
    uploads, aside, notes = _attachments(mail)
    if ticket is not None:
        text = _text(mail.reply or mail.body, notes, bool(uploads))
        message = services.add_message(
            ticket,
            author=author,
            body=text,
            internal=thread.to_staff and author.is_staff,
            channel=Channel.email,
            attachments=uploads,
            email_message_id=row.dedupe_key,
            now=now,
        )
        outcome = Outcome.appended
    else:
        ticket = services.open_ticket(
            requester=author,
            subject=_subject(mail),
            body=_text(mail.body, notes, bool(uploads)),
            channel=Channel.email,
            attachments=uploads,
            body_html=mail.html,
            email_message_id=row.dedupe_key,
            now=now,
        )
        message = ticket.messages[0]
        outcome = Outcome.created
    for upload in aside:
        attachment = store(upload)
        attachment.created_at = now
        message.attachments.append(attachment)
    _settle(row, outcome, ticket, message)


def _settle(row: InboundMail, outcome: str, ticket: Ticket, message) -> None:
    """Record where the mail went with one plain UPDATE: the service has just flushed, and the same
    change made through the ORM would cost the savepoint's release a flush of its own."""
    values = {"outcome": outcome, "ticket_id": ticket.id, "message_row_id": message.id}
    db.session.connection().execute(_SETTLE, {"row": row.id, **{f"new_{k}": v for k, v in values.items()}})
    for key, value in values.items():
        set_committed_value(row, key, value)


def _noise(mail: ParsedMail) -> str:
    if senders.is_own_address(mail.from_email) or _is_our_message(mail.message_id):
        return "own_mail"
    if mail.bounce:
        return "bounce"
    if mail.auto_reply:
        return "auto_reply"
    return ""


def _is_our_message(message_id: str | None) -> bool:
    # Every Message-ID we make is in MAIL_FROM's domain: only those can be ours.
    if not message_id or not message_id.endswith("@" + sender_address().rpartition("@")[2]):
        return False
    query = sa.select(OutboundMail.id).where(OutboundMail.message_id == storage_id(message_id))
    return db.session.scalar(query) is not None


def _may_add(author, ticket: Ticket) -> bool:
    if ticket.status == Status.closed and not author.is_staff:
        return False  # the service would refuse; a new ticket keeps the customer's mail
    return queries.ticket_for(author, ticket.id) is not None


def _attachments(mail: ParsedMail) -> tuple[list[Upload], list[Upload], list[str]]:
    """Files the upload rules accept; files kept aside (a type the portal refuses, such as
    winmail.dat: the mail brought it and only staff download it as a plain file); notes on the
    files too large to keep (they stay in the raw message)."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    uploads, aside, notes = [], [], []
    for attachment in mail.attachments:
        upload = Upload(attachment.filename, attachment.data, attachment.content_type)
        if attachment.size > limit:
            notes.append(attachment.filename)
            continue
        try:
            check_upload(upload)
        except AttachmentRejected:
            aside.append(upload)
        else:
            uploads.append(upload)
    return uploads, aside, notes


def _text(text: str, too_large: list[str], has_uploads: bool) -> str:
    """The message text, with notes (in the desk's language) on what could not be kept."""
    if not too_large and len(text) <= services.BODY_MAX - 1000 and (text.strip() or has_uploads):
        return text
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        lines = [
            _("[%(name)s was not kept: it is larger than the attachment limit.]", name=name)
            for name in too_large
        ]
        if len(text) > services.BODY_MAX - 1000:
            text = text[: services.BODY_MAX - 1000] + "\n\n" + _("[The rest of this long mail was cut.]")
        if not text.strip() and not has_uploads and not lines:
            text = _("(This mail had no text.)")
    return "\n\n".join([text, *lines]).strip()


def _subject(mail: ParsedMail) -> str:
    subject = strip_tags(mail.subject)
    if not subject:
        first_line = next((line.strip() for line in mail.body.splitlines() if line.strip()), "")
        if not first_line:
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                first_line = _("(no subject)")
        subject = first_line[:80]
    return ticket_subject(subject)


def _result(row: InboundMail) -> Result:
    ticket = row.ticket_id if row.outcome in (Outcome.created, Outcome.appended, Outcome.duplicate) else None
    return Result(action=row.outcome, ticket=ticket, inbound_id=row.id, reason=row.reason or "")
