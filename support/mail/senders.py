"""Who wrote a mail, and whether they may: accounts, organisations by domain, loops, rate limits.

- A known address is that user; an inactive account (deactivated, or registered and never
  confirmed) is quarantined: the person behind it has not shown they may write.
- An unknown address in an organisation's email domains becomes a customer of that organisation.
- Any other unknown address follows MAIL_UNKNOWN_SENDERS: "create" (a customer without
  organisation, who sees only their own tickets) or "quarantine".
- Our own addresses (MAIL_FROM, MAIL_OWN_ADDRESSES) never write to us: such mail is a loop.
- More than MAIL_SENDER_LIMIT_PER_HOUR mails from one address in an hour are quarantined: a
  runaway script or an auto-responder that hides what it is must not flood the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from core import services as accounts
from core.extensions import db
from core.mail import sender_address
from core.models import Organisation, Role, User
from support.mail.models import InboundMail, Outcome


@dataclass
class Sender:
    email: str
    name: str
    user: User | None = None  # the existing account
    organisation: Organisation | None = None  # the organisation a new customer joins
    refusal: str = ""  # why the mail must be quarantined ("" when it may be filed)


def identify(email: str, name: str) -> Sender:
    """Look the sender up without creating anything."""
    sender = Sender(email=email, name=name)
    if not email or "@" not in email:
        sender.refusal = "no_sender"
        return sender
    sender.user = db.session.scalar(_USER_BY_EMAIL, {"email": email})
    if sender.user is not None:
        if not sender.user.active:
            sender.refusal = "inactive_sender"
        return sender
    sender.organisation = accounts.organisation_for_email(email)
    if sender.organisation is None and current_app.config["MAIL_UNKNOWN_SENDERS"] != "create":
        sender.refusal = "unknown_sender"
    return sender


def account_for(sender: Sender) -> User:
    """The sender's account, created as a customer when there is none yet."""
    if sender.user is None:
        local = sender.email.partition("@")[0]
        sender.user = accounts.create_user(
            sender.email,
            role=Role.customer,
            name=(sender.name or local)[:200],
            organisation=sender.organisation,
        )
    return sender.user


def is_own_address(email: str) -> bool:
    """Whether `email` is one of our own mailboxes."""
    own = {sender_address(), *(a.strip().lower() for a in current_app.config["MAIL_OWN_ADDRESSES"])}
    for account in current_app.config["MAIL_IMAP_ACCOUNTS"]:
        if "@" in str(account.get("user", "")):
            own.add(str(account["user"]).lower())
    return email in own


def over_limit(email: str, now: datetime, *, besides: int | None = None) -> bool:
    """Whether `email` already sent its hourly share of mail (duplicates don't count)."""
    limit = current_app.config["MAIL_SENDER_LIMIT_PER_HOUR"]
    if not limit:
        return False
    params = {"email": email, "since": now - timedelta(hours=1), "besides": besides}
    db.session.flush()  # counted as an ORM query would count it, with what is pending written
    query = _RECENT if besides is None else _RECENT_BESIDES
    return db.session.connection().execute(query, params).scalar() >= limit


# Built once: they run for every mail, and building a statement costs more than running it (a plain
# statement on the table, more so than one through the ORM).
_USER_BY_EMAIL = sa.select(User).where(User.email == sa.bindparam("email"))
_INBOUND = InboundMail.__table__
_RECENT = sa.select(sa.func.count(_INBOUND.c.id)).where(
    _INBOUND.c.from_email == sa.bindparam("email"),
    _INBOUND.c.received_at > sa.bindparam("since"),
    _INBOUND.c.outcome != Outcome.duplicate,
)
_RECENT_BESIDES = _RECENT.where(_INBOUND.c.id != sa.bindparam("besides"))
