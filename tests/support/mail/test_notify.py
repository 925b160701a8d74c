"""Customers hear about their tickets by mail: in their language, threaded, never about internal notes."""

from __future__ import annotations

from email import message_from_bytes, policy

import sqlalchemy as sa

from core.extensions import db
from core.mail_models import OutboundMail
from support import services
from support.mail.ingest import ingest
from support.models import Status
from tests.factories import make_engineer, make_ticket, make_user
from tests.support.mail.letters import letter, reply_to


def mails_to(email: str) -> list:
    """Our ticket notifications to `email` (other packages may mail too, e.g. a survey)."""
    rows = db.session.scalars(
        sa.select(OutboundMail)
        .where(OutboundMail.recipient == email, OutboundMail.category.startswith("ticket."))
        .order_by(OutboundMail.id)
    ).all()
    return [message_from_bytes(row.raw, policy=policy.default) for row in rows]


def test_a_new_ticket_is_acknowledged_with_its_number_as_automatic_mail():
    customer = make_user("tom@northwind.example", name="Tom")
    ticket = make_ticket(customer, subject="Label printer jams", kind="incident")
    [mail] = mails_to("tom@northwind.example")
    assert mail["Subject"] == f"[#{ticket.id}] We received your request: Label printer jams"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"].startswith(f"<ticket-{ticket.id}.")
    text = mail.get_content()
    assert f"#{ticket.id}" in text and "Hello Tom," in text and "Fault / incident" in text
    assert f"http://127.0.0.1:5000/portal/tickets/{ticket.id}" in text


def test_mail_speaks_the_recipients_language():
    customer = make_user("wang@hengtai.cn", name="王芳", locale="zh_Hans")
    make_ticket(customer, kind="incident", priority="urgent")
    text = mails_to("wang@hengtai.cn")[0].get_content()
    # Labels translated in the zh_Hans catalogue; the English words must not appear.
    assert "紧急" in text and "Urgent" not in text


def test_a_staff_reply_is_mailed_threaded_under_the_acknowledgement():
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer, subject="VPN drops")
    engineer = make_engineer(name="Li Wei")
    services.add_message(ticket, author=engineer, body="Please update the client to 3.2.")
    received, reply = mails_to("tom@northwind.example")
    assert reply["Subject"] == f"[#{ticket.id}] Re: VPN drops"
    assert reply["In-Reply-To"] == received["Message-ID"]
    assert received["Message-ID"] in reply["References"]
    text = reply.get_content()
    assert text.startswith("Please update the client to 3.2.") and "Li Wei" in text


def test_a_threaded_reply_references_the_customers_own_mail_first():
    opened = ingest(letter(sender="tom@northwind.example", message_id="own@northwind.example"))
    from support.models import Ticket

    ticket = db.session.get(Ticket, opened.ticket)
    services.add_message(ticket, author=make_engineer(), body="Looking into it.")
    reply = mails_to("tom@northwind.example")[-1]
    assert reply["References"].split()[0] == "<own@northwind.example>"


def test_internal_notes_and_customer_messages_mail_nobody():
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer)
    services.add_message(ticket, author=make_engineer(), body="Vendor bug, see JIRA-12.", internal=True)
    services.add_message(ticket, author=customer, body="Any news?")
    assert len(mails_to("tom@northwind.example")) == 1  # the acknowledgement only


def test_a_customers_own_mail_is_not_echoed_back_to_them():
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer)
    ingest(letter(sender="tom@northwind.example", subject=f"Re: [#{ticket.id}]", body="More details.\n"))
    assert len(mails_to("tom@northwind.example")) == 1


def test_resolving_mails_the_requester_unless_they_resolved_it_themselves():
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer, subject="Disk full")
    services.change_status(ticket, Status.resolved, actor=make_engineer())
    resolved = mails_to("tom@northwind.example")[-1]
    assert resolved["Subject"] == f"[#{ticket.id}] Resolved: Disk full"
    assert "reply to this mail and the ticket opens again" in resolved.get_content()
    other = make_ticket(customer)
    services.change_status(other, Status.resolved, actor=customer)
    assert [m["Subject"].split()[0] for m in mails_to("tom@northwind.example")][-1] == f"[#{other.id}]"
    assert "Resolved" not in mails_to("tom@northwind.example")[-1]["Subject"]


def test_a_rolled_back_change_mails_nobody():
    customer = make_user("tom@northwind.example")
    savepoint = db.session.begin_nested()
    make_ticket(customer)
    savepoint.rollback()
    assert mails_to("tom@northwind.example") == []


def test_the_customers_answer_to_a_staff_reply_lands_on_the_ticket(outbox_rows):
    customer = make_user("tom@northwind.example")
    ticket = make_ticket(customer)
    services.add_message(ticket, author=make_engineer(), body="Does it work now?")
    our_reply = outbox_rows(category="ticket.reply")[0]
    # Their client drops the tag: the Message-ID alone threads it.
    answer = reply_to(our_reply.raw, sender="tom@northwind.example", subject="Re: it works")
    result = ingest(answer)
    assert (result.action, result.ticket) == ("appended", ticket.id)


def test_notifications_can_be_switched_off(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_NOTIFY", False)
    make_ticket(make_user("tom@northwind.example"))
    assert mails_to("tom@northwind.example") == []
