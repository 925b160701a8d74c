"""The SMTP server down for a while, then flaky, and a sender killed mid-run: afterwards every
notification has reached the (real, aiosmtpd) server exactly once, and none is left stuck."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from core.mail import LEASE, deliver_due
from core.mail_models import OutboundMail, OutboxStatus
from core.models import User
from support import services
from support.models import Status, Ticket
from tests.support.mail.conftest import SmtpServer, free_port


class FlakySmtpServer(SmtpServer):
    """Answers "421 try later" to the first `flaky` messages, as a server short of resources does."""

    flaky = 1

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.flaky > 0:
            self.flaky -= 1
            return "421 4.3.2 System not accepting network messages"
        return await super().handle_DATA(server, session, envelope)


def outbox(desk) -> list[OutboundMail]:
    with desk.app.app_context():
        return db.session.scalars(sa.select(OutboundMail).order_by(OutboundMail.id)).all()


def notify(desk, *, tickets: int = 0, reply_to: int | None = None) -> None:
    """What customers are mailed about: new tickets (the acknowledgement), a staff reply."""
    with desk.app.app_context():
        customer = db.session.scalar(sa.select(User).where(User.email == "tom@northwind.example"))
        engineer = db.session.scalar(sa.select(User).where(User.email == "li.wei@aftercare.example"))
        for n in range(tickets):
            services.open_ticket(requester=customer, subject=f"Printer {n} offline", body="It shows E42.")
        if reply_to is not None:
            ticket = db.session.get(Ticket, reply_to)
            services.add_message(ticket, author=engineer, body="Please power-cycle it and tell us.")
            services.change_status(ticket, Status.pending, actor=engineer)
        db.session.commit()


def send(desk, now) -> dict:
    with desk.app.app_context():
        return dict(deliver_due(now))


def test_every_notification_is_delivered_once_after_the_server_comes_back(desk):
    desk.seed()
    port = free_port()
    desk.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    notify(desk, tickets=3, reply_to=1)
    assert len(outbox(desk)) == 4
    start = utcnow()

    # Down: nothing listens on the port. Each run tries one mail, records why, and backs off.
    for _ in range(4):
        assert send(desk, start) == {"retry": 1}
    assert send(desk, start) == {}  # every mail waits out its backoff
    rows = outbox(desk)
    assert [(row.status, row.attempts) for row in rows] == [(OutboxStatus.queued, 1)] * 4
    assert {row.next_attempt_at for row in rows} == {start + timedelta(seconds=60)}
    assert all("refused" in row.last_error.lower() for row in rows)
    assert send(desk, start + timedelta(seconds=61)) == {"retry": 1}
    first = outbox(desk)[0]
    assert first.attempts == 2 and first.next_attempt_at == start + timedelta(seconds=61 + 120)  # doubled

    # Back, but short of resources for a moment: a "421" is retried, the rest goes out.
    server = FlakySmtpServer(port)
    server.start()
    try:
        assert send(desk, start + timedelta(minutes=10)) == {"retry": 1, "sent": 3}
        assert "421" in outbox(desk)[1].last_error

        # A sender killed after claiming a mail, before sending it: the mail waits out its lease.
        notify(desk, reply_to=2)
        killed = desk.flask("mail", "send", AFTERCARE_FAILPOINTS="mail.send.claimed=kill@1")
        assert killed.returncode == -9, killed.stderr.decode()
        stuck = outbox(desk)[-1]
        assert stuck.status == OutboxStatus.sending and stuck.lease_until > utcnow()

        later = utcnow() + LEASE + timedelta(hours=1)
        assert send(desk, later) == {"sent": 2}
        assert send(desk, later + timedelta(days=1)) == {}
    finally:
        server.stop()

    rows = outbox(desk)
    assert [row.status for row in rows] == [OutboxStatus.sent] * 5  # none queued, sending or failed
    assert [row.attempts for row in rows] == [3, 3, 2, 2, 2]
    received = [message_from_bytes(e.original_content, policy=policy.default) for e in server.received]
    assert sorted(m["Message-ID"] for m in received) == sorted(f"<{row.message_id}>" for row in rows)
    assert len(received) == len(rows)  # exactly once each
