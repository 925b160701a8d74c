"""The outbox against a real SMTP server (aiosmtpd on loopback): nothing lost, nothing sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

from core.extensions import db
from core.mail import LEASE, deliver_due, queue_mail, requeue
from core.mail_models import OutboxStatus
from support import services
from tests.factories import make_engineer, make_ticket, make_user
from tests.support.mail.conftest import SmtpServer

# After the mail the tests queue: services queue it at the real time, due at once.
NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)


def received_ids(server: SmtpServer) -> list[str]:
    return [
        message_from_bytes(e.original_content, policy=policy.default)["Message-ID"] for e in server.received
    ]


def test_queued_mail_is_delivered_once_with_its_threading_headers(smtp_server, outbox_rows):
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer, subject="Label printer jams")
    services.add_message(ticket, author=make_engineer(), body="Try the new driver.")
    db.session.commit()
    assert deliver_due()["sent"] == 2
    assert deliver_due()["sent"] == 0  # a second run finds nothing left
    assert len(smtp_server.received) == 2
    envelope = smtp_server.received[1]
    assert envelope.mail_from == "support@aftercare.local" and envelope.rcpt_tos == ["tom@northwind.example"]
    reply = message_from_bytes(envelope.original_content, policy=policy.default)
    assert reply["Subject"] == f"[#{ticket.id}] Re: Label printer jams"
    assert reply["In-Reply-To"] == received_ids(smtp_server)[0]
    assert reply["Auto-Submitted"] == "auto-generated"
    assert reply.get_content().startswith("Try the new driver.")
    assert [row.status for row in outbox_rows()] == ["sent", "sent"]


def test_while_the_server_is_down_mail_waits_and_afterwards_each_arrives_exactly_once(smtp_port, outbox_rows):
    customer = make_user("tom@northwind.example")
    for n in range(3):
        make_ticket(customer, subject=f"Problem {n}")
    db.session.commit()
    server = SmtpServer(smtp_port)  # not started: connections are refused

    first = deliver_due(NOW)
    assert first["retry"] == 1 and first["sent"] == 0  # the run stops at the unreachable server
    assert deliver_due(NOW)["retry"] == 1  # the next mail is tried; the first waits out its backoff
    waiting = outbox_rows()
    assert all(row.status == OutboxStatus.queued for row in waiting)
    assert [row.attempts for row in waiting] == [1, 1, 0]
    assert waiting[0].next_attempt_at == NOW + timedelta(seconds=60) and "Connection" in waiting[0].last_error
    assert deliver_due(NOW + timedelta(seconds=30))["retry"] == 1
    assert [row.attempts for row in outbox_rows()] == [1, 1, 1]
    assert deliver_due(NOW + timedelta(seconds=70))["retry"] == 1
    assert outbox_rows()[0].attempts == 2
    assert outbox_rows()[0].next_attempt_at == NOW + timedelta(seconds=70 + 120)  # the backoff doubles

    server.start()
    try:
        assert deliver_due(NOW + timedelta(minutes=10))["sent"] == 3
        assert deliver_due(NOW + timedelta(minutes=20))["sent"] == 0
        assert deliver_due(NOW + timedelta(hours=2))["sent"] == 0
    finally:
        server.stop()
    assert sorted(received_ids(server)) == sorted(f"<{row.message_id}>" for row in outbox_rows())
    assert len(server.received) == 3
    assert all(row.status == OutboxStatus.sent and row.sent_at for row in outbox_rows())


def test_a_recipient_the_server_refuses_for_good_is_not_retried_until_an_admin_says_so(
    smtp_server, outbox_rows
):
    smtp_server.refuse["nobody@northwind.example"] = "550 5.1.1 No such user"
    queue_mail("nobody@northwind.example", "Hello", "Text")
    queue_mail("tom@northwind.example", "Hello", "Text")
    db.session.commit()
    counts = deliver_due(NOW)
    assert (counts["failed"], counts["sent"]) == (1, 1)
    failed = outbox_rows(status=OutboxStatus.failed)[0]
    assert "550" in failed.last_error
    assert deliver_due(NOW + timedelta(days=1))["sent"] == 0
    smtp_server.refuse.clear()
    requeue(failed, now=NOW + timedelta(days=1))
    db.session.commit()
    assert deliver_due(NOW + timedelta(days=1))["sent"] == 1


def test_a_mail_that_keeps_failing_gives_up_after_the_last_attempt(app, smtp_port, monkeypatch, outbox_rows):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    queue_mail("tom@northwind.example", "Hello", "Text")
    db.session.commit()
    assert deliver_due(NOW)["retry"] == 1
    assert deliver_due(NOW + timedelta(hours=1))["failed"] == 1
    assert outbox_rows()[0].status == OutboxStatus.failed


def test_a_sender_that_died_mid_send_leaves_the_mail_to_be_retried_after_its_lease(smtp_server, outbox_rows):
    row = queue_mail("tom@northwind.example", "Hello", "Text", now=NOW)
    db.session.commit()
    row.status, row.lease_until = OutboxStatus.sending, NOW + LEASE  # claimed by a process that crashed
    db.session.commit()
    assert deliver_due(NOW + timedelta(minutes=1))["sent"] == 0  # still its owner's
    assert deliver_due(NOW + LEASE + timedelta(seconds=1))["sent"] == 1
    assert len(smtp_server.received) == 1


def test_account_mail_goes_through_the_same_outbox(app, smtp_server, outbox_rows):
    sent = app.extensions.setdefault("aftercare_sent_mail", [])
    sent.clear()
    queue_mail("new@northwind.example", "Confirm your Aftercare account", "Follow this link: http://x/")
    assert sent == []  # nothing before the commit
    db.session.commit()
    assert [m["To"] for m in sent] == ["new@northwind.example"]
    assert outbox_rows()[0].category == "account"
    deliver_due()
    [envelope] = smtp_server.received
    assert (
        "Follow this link"
        in message_from_bytes(envelope.original_content, policy=policy.default).get_content()
    )


def test_without_a_mail_server_mail_is_logged_and_counted_as_sent(app, monkeypatch, caplog, outbox_rows):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    queue_mail("tom@northwind.example", "Your invitation", "http://127.0.0.1:5000/register?invite=abc")
    db.session.commit()
    assert deliver_due()["sent"] == 1
    assert "register?invite=abc" in caplog.text
