"""Outbound mail through a persistent outbox: `queue_mail` stores, `deliver_due` sends.

`queue_mail` builds the whole message and adds it to `mail_outbox` in the caller's transaction, so a
mail exists exactly when the change it reports was committed. The delivery job (`deliver_due`, run by
the scheduler every few seconds and by `flask mail send`) claims due rows one at a time with a
conditional update, sends them, and marks them sent; while the SMTP server is down a row is retried
with exponential backoff. The only window for a double send is a crash between the server's "250" and
our commit: the retry then carries the same Message-ID, which mail clients collapse.

Without MAIL_SERVER a "delivery" logs the mail (warning level, so a newcomer running `make run` sees
invitation links). Under TESTING every committed mail is also appended to
`app.extensions["aftercare_sent_mail"]` as an EmailMessage, for tests to read.
"""

from __future__ import annotations

import functools
import secrets
import smtplib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

import sqlalchemy as sa
from flask import current_app

from core.db import utcnow
from core.extensions import db
from core.failpoints import failpoint
from core.mail_models import OutboundMail, OutboxStatus
from core.outbox import after_commit

_WIRE = policy.compat32.clone(linesep="\r\n")  # what SMTP carries: CRLF line ends
LEASE = timedelta(minutes=5)  # how long a claimed row is left to its sender before another may retry it
_muted: ContextVar[bool] = ContextVar("aftercare_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Queue no mail at all inside this block (demo data, imports of old tickets).

    Made-up people at real-looking addresses must never get mail, whichever package would send it.
    """
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def queue_mail(
    to: str,
    subject: str,
    body: str,
    *,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    related: str = "",
    category: str = "account",
    now: datetime | None = None,
) -> OutboundMail | None:
    """Queue a text mail; it is sent after the current transaction commits (never if it rolls back).

    Inside `muted()` nothing is queued and None is returned.
    `message_id` is without angle brackets (default: a new one); `headers` adds threading headers
    such as In-Reply-To; `related` tags the row (e.g. "ticket:42") for whoever threads replies.
    """
    if _muted.get():
        return None
    app = current_app
    now = now or utcnow()
    subject = " ".join(subject.split())  # a line break in a header would be an injection
    message_id = message_id or new_message_id()
    # compat32 MIMEText rather than EmailMessage: the same bytes at a fifth of the cost, which matters
    # when a burst of mail is ingested and every new ticket is acknowledged.
    msg = MIMEText(body, "plain", "us-ascii" if body.isascii() else "utf-8")
    name, address = parseaddr(app.config["MAIL_FROM"])
    msg["From"] = formataddr((name, address), charset="utf-8")
    msg["To"] = to
    msg["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{message_id}>"
    # Automatic mail says so (RFC 3834), and asks Exchange not to answer it with out-of-office notes.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    for header, value in (headers or {}).items():
        msg[header] = value
    raw = msg.as_bytes(policy=_WIRE)
    row = OutboundMail(
        message_id=message_id,
        recipient=to,
        subject=subject[:500],
        raw=raw,
        related=related[:100],
        category=category[:40],
        status=OutboxStatus.queued,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(row)
    if app.testing:
        after_commit(_record, raw)
    return row


def requeue(row: OutboundMail, *, now: datetime | None = None) -> None:
    """Give a mail that failed for good another round of attempts (an admin fixed the cause)."""
    row.status, row.attempts, row.next_attempt_at, row.lease_until = (
        OutboxStatus.queued,
        0,
        now or utcnow(),
        None,
    )


def new_message_id(prefix: str = "") -> str:
    """A new Message-ID (without angle brackets) in the domain of MAIL_FROM."""
    domain = sender_address().rpartition("@")[2] or "aftercare.local"
    token = secrets.token_hex(10)
    return f"{prefix}.{token}@{domain}" if prefix else f"{token}@{domain}"


def sender_address() -> str:
    """The bare address of MAIL_FROM, lower-cased."""
    return _bare_address(current_app.config["MAIL_FROM"])


@functools.lru_cache(maxsize=8)
def _bare_address(value: str) -> str:
    return parseaddr(value)[1].lower()


def deliver_due(now: datetime | None = None, *, limit: int = 100) -> Counter:
    """Send the mails that are due; returns how many were sent, retried later, or failed for good.

    Commits after every mail. Safe to run in several processes at once: a row is claimed by a
    conditional update before it is sent.
    """
    now = now or utcnow()
    due = sa.or_(
        sa.and_(OutboundMail.status == OutboxStatus.queued, OutboundMail.next_attempt_at <= now),
        sa.and_(OutboundMail.status == OutboxStatus.sending, OutboundMail.lease_until < now),
    )
    ids = db.session.scalars(
        sa.select(OutboundMail.id)
        .where(due)
        .order_by(OutboundMail.next_attempt_at, OutboundMail.id)
        .limit(limit)
    ).all()
    db.session.commit()
    counts: Counter = Counter()
    with _Connection() as connection:
        for mail_id in ids:
            claimed = db.session.execute(
                sa.update(OutboundMail)
                .where(OutboundMail.id == mail_id, due)
                .values(
                    status=OutboxStatus.sending,
                    lease_until=now + LEASE,
                    attempts=OutboundMail.attempts + 1,
                )
            ).rowcount
            db.session.commit()
            if not claimed:
                continue  # another sender has it, or it was sent meanwhile
            failpoint("mail.send.claimed")
            row = db.session.get(OutboundMail, mail_id, populate_existing=True)
            outcome = _deliver(connection, row, now)
            db.session.commit()
            counts[outcome] += 1
            if outcome == "retry" and connection.down:
                break  # the server is unreachable: the rest waits for the next run
    return counts


def _deliver(connection: _Connection, row: OutboundMail, now: datetime) -> str:
    config = current_app.config
    try:
        connection.send(row)
    except Exception as exc:  # every failure is recorded on the row; none may stop the other mails
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if _permanent(exc) or row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            row.status, row.lease_until = OutboxStatus.failed, None
            current_app.logger.error("mail %s to %s failed for good: %s", row.id, row.recipient, exc)
            return "failed"
        delay = min(config["MAIL_RETRY_SECONDS"] * 2 ** (row.attempts - 1), config["MAIL_RETRY_MAX_SECONDS"])
        row.status, row.lease_until = OutboxStatus.queued, None
        row.next_attempt_at = now + timedelta(seconds=delay)
        return "retry"
    row.status, row.lease_until, row.sent_at, row.last_error = OutboxStatus.sent, None, utcnow(), None
    return "sent"


def _permanent(exc: Exception) -> bool:
    """A 5xx about the recipient or the content: retrying would get the same answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


class _Connection:
    """One SMTP connection for a whole delivery run, opened on first use and reopened after an error."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None
        self.down = False

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def send(self, row: OutboundMail) -> None:
        config = current_app.config
        if not config.get("MAIL_SERVER"):
            text = message_from_bytes(row.raw, policy=policy.default).get_body(("plain",))
            current_app.logger.warning(
                "mail to %s (no MAIL_SERVER configured):\n%s\n\n%s",
                row.recipient,
                row.subject,
                text.get_content() if text is not None else "",
            )
            return
        try:
            if self.smtp is None:
                self.smtp = self._open(config)
        except (OSError, smtplib.SMTPException):
            self.down = True
            raise
        try:
            self.smtp.sendmail(sender_address(), [row.recipient], row.raw)
        except (OSError, smtplib.SMTPServerDisconnected):
            self._close()
            raise

    @staticmethod
    def _open(config) -> smtplib.SMTP:
        host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
        smtp = (
            smtplib.SMTP_SSL(host, port, timeout=timeout)
            if config["MAIL_USE_SSL"]
            else smtplib.SMTP(host, port, timeout=timeout)
        )
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return smtp

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _record(raw: bytes) -> None:
    msg = message_from_bytes(raw, policy=policy.default)
    current_app.extensions.setdefault("aftercare_sent_mail", []).append(msg)
