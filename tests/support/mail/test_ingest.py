"""Every mail becomes a ticket or a reply on the right ticket, exactly once; noise never does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.mail_models import OutboundMail
from core.models import User
from support import services
from support.mail.ingest import TemporaryFailure, ingest
from support.mail.models import InboundMail
from support.models import Message, Status, Ticket
from tests.factories import make_engineer, make_org, make_ticket, make_user
from tests.support.mail.letters import letter, reply_to

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def received_mail(ticket: Ticket) -> OutboundMail:
    """The "we received your request" notification of a ticket."""
    return db.session.scalars(
        sa.select(OutboundMail).where(OutboundMail.related == f"ticket:{ticket.id}").order_by(OutboundMail.id)
    ).first()


# -- new tickets and senders ------------------------------------------------------------------------


def test_a_mail_from_a_stranger_becomes_a_ticket_of_a_new_customer_and_its_raw_is_kept():
    raw = letter(sender="Ann Lee <Ann.Lee@Example.org>", subject="Scanner offline", body="It is offline.\n")
    result = ingest(raw, source="test")
    assert result.action == "created"
    ticket = db.session.get(Ticket, result.ticket)
    assert ticket.subject == "Scanner offline"
    assert ticket.channel == "email" and ticket.status == Status.new
    assert ticket.requester.email == "ann.lee@example.org" and ticket.requester.name == "Ann Lee"
    assert ticket.requester.role == "customer" and ticket.requester.organisation is None
    assert ticket.messages[0].body == "It is offline."
    row = db.session.get(InboundMail, result.inbound_id)
    assert row.raw == raw and row.outcome == "created" and row.ticket_id == ticket.id
    assert ticket.messages[0].email_message_id == row.message_id


def test_an_unknown_sender_in_an_organisations_domain_joins_it():
    org = make_org("Hengtai", domains="hengtai.cn")
    result = ingest(letter(sender="王芳 <wang.fang@hengtai.cn>", subject="打印机卡纸"))
    ticket = db.session.get(Ticket, result.ticket)
    assert ticket.requester.organisation is org and ticket.organisation is org
    assert ticket.requester.name == "王芳"


def test_a_known_sender_is_that_user():
    customer = make_user("tom.baker@northwind.example")
    result = ingest(letter(sender="TOM <Tom.Baker@northwind.example>"))
    assert db.session.get(Ticket, result.ticket).requester is customer
    assert count(User) == 1


def test_unknown_senders_can_be_quarantined_instead(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_UNKNOWN_SENDERS", "quarantine")
    result = ingest(letter(sender="someone@unknown.example"))
    assert (result.action, result.reason, result.ticket) == ("quarantined", "unknown_sender", None)
    assert user("someone@unknown.example") is None and count(Ticket) == 0
    assert db.session.get(InboundMail, result.inbound_id).raw.startswith(b"From:")


def test_a_deactivated_account_is_quarantined():
    make_user("gone@northwind.example", active=False)
    result = ingest(letter(sender="gone@northwind.example"))
    assert (result.action, result.reason) == ("quarantined", "inactive_sender")


def test_a_pure_forward_opens_a_ticket_with_the_forwarded_text():
    body = "---------- Forwarded message ----------\nFrom: Li <li@example.com>\n\nThe VPN drops hourly.\n"
    result = ingest(letter(subject="Fwd: VPN", body=body))
    assert "The VPN drops hourly." in db.session.get(Ticket, result.ticket).messages[0].body


def test_html_only_mail_keeps_sanitised_html_for_display():
    html = '<p onclick="x()">Hello <b>there</b></p><script>alert(1)</script>'
    raw = letter(body="Hello there\n", html=html)
    message = db.session.get(Ticket, ingest(raw).ticket).messages[0]
    assert "<b>there</b>" in message.body_html
    assert "script" not in message.body_html and "onclick" not in message.body_html


def test_attachments_are_kept_and_oversized_ones_are_named_in_the_text(app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1000)
    raw = letter(
        attachments=[
            ("log.txt", "text/plain", b"error 42\n"),
            ("winmail.dat", "application/ms-tnef", b"\x78\x9f\x3e\x22" * 10),
            ("dump.bin", "application/octet-stream", b"x" * 2000),
        ]
    )
    message = db.session.get(Ticket, ingest(raw).ticket).messages[0]
    assert sorted(a.filename for a in message.attachments) == ["log.txt", "winmail.dat"]
    assert "dump.bin was not kept" in message.body


def test_a_subject_longer_than_a_ticket_allows_is_cut_and_an_empty_one_is_made_up():
    long = ingest(letter(subject="Attachment without body - and a lo" + "o" * 300 + "ng subject"))
    assert len(db.session.get(Ticket, long.ticket).subject) == 200
    empty = ingest(letter(subject="", body="Printer on floor 3 is down\nsince today"))
    assert db.session.get(Ticket, empty.ticket).subject == "Printer on floor 3 is down"


# -- exactly once ----------------------------------------------------------------------------------


def test_the_same_message_id_twice_is_a_duplicate_and_writes_nothing_new():
    raw = letter(message_id="once@mail.example")
    first = ingest(raw)
    again = ingest(raw)
    assert (again.action, again.ticket) == ("duplicate", first.ticket)
    assert count(Ticket) == 1 and count(Message) == 1
    assert count(InboundMail) == 2  # the log still shows the second delivery


def test_without_message_id_the_same_bytes_are_a_duplicate_but_other_bytes_are_not():
    raw = letter(message_id=None, body="First\n")
    assert ingest(raw).action == "created"
    assert ingest(raw).action == "duplicate"
    assert ingest(letter(message_id=None, body="Second\n")).action == "created"


def test_a_message_id_longer_than_the_column_is_cut_and_still_unique():
    base = "x" * 600
    first = ingest(letter(message_id=f"{base}1@example.com"))
    second = ingest(letter(message_id=f"{base}2@example.com"))
    assert first.action == second.action == "created"
    assert ingest(letter(message_id=f"{base}1@example.com")).action == "duplicate"
    assert len(db.session.get(InboundMail, first.inbound_id).message_id) == 500


def test_a_temporary_failure_stores_nothing_so_the_mail_can_come_again(monkeypatch):
    def database_down(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(services, "open_ticket", database_down)
    with pytest.raises(TemporaryFailure):
        ingest(letter(message_id="retry-me@example.com"))
    assert count(InboundMail) == 0
    monkeypatch.undo()
    assert ingest(letter(message_id="retry-me@example.com")).action == "created"


def test_a_mail_that_cannot_be_filed_is_quarantined_with_the_error_and_raw(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(services, "open_ticket", broken)
    result = ingest(letter())
    assert (result.action, result.reason) == ("quarantined", "error")
    row = db.session.get(InboundMail, result.inbound_id)
    assert "KeyError" in row.error and row.raw
    assert count(Ticket) == 0 and user("tom.baker@northwind.example") is None


# -- threading -------------------------------------------------------------------------------------


def test_a_reply_to_our_notification_joins_its_ticket_without_the_tag():
    opened = ingest(letter(sender="tom@northwind.example", subject="Printer jams"))
    ticket = db.session.get(Ticket, opened.ticket)
    answer = reply_to(received_mail(ticket).raw, sender="tom@northwind.example", subject="Re: Printer jams")
    result = ingest(answer)
    assert (result.action, result.ticket) == ("appended", ticket.id)
    assert ticket.messages[-1].body == "Thanks, it works again."
    assert ticket.messages[-1].channel == "email"


def test_a_reply_quoting_only_the_tag_joins_its_ticket_and_keeps_only_the_new_text():
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer)
    body = "It happened again.\n\nOn Mon, 23 Nov 2026 at 10:00, Support <support@aftercare.local> wrote:\n> old\n"
    result = ingest(letter(sender="tom@northwind.example", subject=f"Re: [#{ticket.id}] Printer", body=body))
    assert (result.action, result.ticket) == ("appended", ticket.id)
    assert ticket.messages[-1].body == "It happened again."


def test_a_reply_referencing_the_customers_own_first_mail_joins_the_ticket():
    first = ingest(letter(sender="tom@northwind.example", message_id="first@northwind.example"))
    follow_up = letter(
        sender="tom@northwind.example",
        subject="one more thing",
        references=["first@northwind.example"],
        in_reply_to="first@northwind.example",
    )
    assert ingest(follow_up).ticket == first.ticket


def test_a_stranger_quoting_a_tag_gets_a_ticket_of_their_own():
    ticket = make_ticket(make_user("tom@northwind.example"))
    result = ingest(letter(sender="eve@elsewhere.example", subject=f"Re: [#{ticket.id}] let me in"))
    assert result.action == "created" and result.ticket != ticket.id
    assert db.session.get(Ticket, result.ticket).subject == "Re: let me in"
    assert len(ticket.messages) == 1


def test_a_colleague_of_the_same_organisation_may_add_to_the_ticket():
    org = make_org(domains="northwind.example")
    ticket = make_ticket(make_user("tom@northwind.example", org=org))
    result = ingest(letter(sender="sue@northwind.example", subject=f"Re: [#{ticket.id}] jams"))
    assert (result.action, result.ticket) == ("appended", ticket.id)


def test_a_customer_reply_reopens_a_pending_ticket():
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer)
    services.change_status(ticket, Status.pending, actor=make_engineer())
    ingest(letter(sender="tom@northwind.example", subject=f"Re: [#{ticket.id}]", body="Here is the log.\n"))
    assert ticket.status == Status.open


def test_a_reply_to_a_closed_ticket_opens_a_new_one():
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer)
    services.change_status(ticket, Status.closed, actor=make_engineer())
    result = ingest(letter(sender="tom@northwind.example", subject=f"Re: [#{ticket.id}] Printer"))
    assert result.action == "created" and result.ticket != ticket.id


def test_a_reply_to_a_merged_ticket_lands_on_the_ticket_it_was_merged_into():
    customer = make_user("tom@northwind.example")
    source, target = make_ticket(customer), make_ticket(customer)
    services.merge_tickets(source, target, actor=make_engineer())
    result = ingest(letter(sender="tom@northwind.example", subject=f"Re: [#{source.id}]"))
    assert (result.action, result.ticket) == ("appended", target.id)


def test_an_engineer_answering_by_mail_replies_to_the_customer(outbox_rows):
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer)
    engineer = make_engineer(email="li.wei@aftercare.example")
    result = ingest(letter(sender="li.wei@aftercare.example", subject=f"Re: [#{ticket.id}]", body="Fixed.\n"))
    message = ticket.messages[-1]
    assert result.action == "appended" and message.author is engineer and not message.internal
    assert ticket.first_response_at is not None
    assert [m.category for m in outbox_rows(recipient="tom@northwind.example")] == [
        "ticket.received",
        "ticket.reply",
    ]


def test_an_engineer_answering_an_sla_warning_writes_an_internal_note(app, outbox_rows):
    from core.mail import queue_mail

    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer)
    make_engineer(email="li.wei@aftercare.example")
    queue_mail("li.wei@aftercare.example", f"[#{ticket.id}] SLA warning: first response due", "Hurry.")
    warning = outbox_rows(recipient="li.wei@aftercare.example")[0]
    ingest(reply_to(warning.raw, sender="li.wei@aftercare.example", body="On it.\n"))
    assert ticket.messages[-1].internal and ticket.messages[-1].body == "On it."
    assert [m.category for m in outbox_rows(recipient="tom@northwind.example")] == ["ticket.received"]


# -- loops and noise ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: Printer"),
        ({"Precedence": "bulk"}, "Newsletter"),
        ({"Precedence": "junk"}, "Offer"),
        ({"Precedence": "list"}, "[users] digest"),
        ({"X-Autoreply": "yes"}, "Re: Printer"),
        ({"X-Auto-Response-Suppress": "All"}, "Re: Printer"),
        ({}, "自动回复：我在休假"),
        ({}, "Out of Office: back on Monday"),
    ],
)
def test_auto_replies_never_become_tickets_and_are_never_answered(headers, subject):
    result = ingest(letter(subject=subject, headers=headers))
    assert (result.action, result.reason) == ("ignored", "auto_reply")
    assert count(Ticket) == 0 and count(OutboundMail) == 0 and count(User) == 0


def test_a_bounce_is_ignored():
    raw = letter(
        sender="MAILER-DAEMON@mx.example.org",
        subject="Undelivered Mail Returned to Sender",
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert ingest(raw).reason == "bounce"
    assert count(Ticket) == 0 and count(OutboundMail) == 0


def test_our_own_outgoing_mail_is_never_ingested_again(outbox_rows):
    ticket = make_ticket(make_user("tom@northwind.example"))
    [notification] = outbox_rows(related=f"ticket:{ticket.id}")
    assert ingest(notification.raw).reason == "own_mail"
    mail_from_us = letter(sender="Aftercare <support@aftercare.local>", subject="hello")
    assert ingest(mail_from_us).reason == "own_mail"
    assert count(Ticket) == 1


def test_a_flood_from_one_sender_is_quarantined_after_the_hourly_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SENDER_LIMIT_PER_HOUR", 3)
    actions = [ingest(letter(subject=f"alert {i}"), now=NOW + timedelta(minutes=i)).action for i in range(5)]
    assert actions == ["created"] * 3 + ["quarantined"] * 2
    assert ingest(letter(subject="next hour"), now=NOW + timedelta(minutes=70)).action == "created"


def test_quarantined_mail_can_be_reprocessed_or_turned_into_a_ticket(app, monkeypatch):
    from support.mail.ingest import reprocess

    monkeypatch.setitem(app.config, "MAIL_UNKNOWN_SENDERS", "quarantine")
    first = db.session.get(InboundMail, ingest(letter(sender="new@partner.example")).inbound_id)
    second = db.session.get(InboundMail, ingest(letter(sender="someone@free.example")).inbound_id)
    make_org("Partner", domains="partner.example")  # the admin adds the customer's domain
    assert reprocess(first).action == "created"
    assert first.outcome == "created" and first.ticket.requester.organisation.name == "Partner"
    assert reprocess(second).action == "quarantined"  # still unknown...
    assert reprocess(second, force_ticket=True).action == "created"  # ...but the admin files it anyway
    assert second.ticket.requester.email == "someone@free.example"
