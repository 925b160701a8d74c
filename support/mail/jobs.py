"""Periodic mail jobs: send what the outbox holds, fetch what the IMAP mailboxes hold."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from core.jobs import Job
from core.mail import deliver_due
from support.mail import imap


def send_outbox(now: datetime) -> Counter:
    """Send the queued mail that is due; retries wait out their backoff."""
    return deliver_due(now)


def poll_mailboxes(now: datetime) -> Counter:
    """One pass over every configured IMAP mailbox."""
    return imap.poll_all(now=now)


JOBS = [
    Job("mail.send", send_outbox, "interval", {"seconds": 15}, "Send queued mail"),
    Job("mail.poll", poll_mailboxes, "interval", {"minutes": 1}, "Fetch new mail from the IMAP mailboxes"),
]
