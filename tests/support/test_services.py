"""The ticket life cycle as the services implement it, for every channel."""

from datetime import UTC, datetime, timedelta

import pytest

from core.extensions import db
from support import services
from support.attachments import AttachmentRejected, Upload
from support.models import Status, TicketEvent
from tests.factories import make_engineer, make_ticket, make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_open_ticket_records_first_message_and_history():
    customer = make_user()
    ticket = make_ticket(
        customer,
        subject="  VPN   drops every hour ",
        now=NOW,
        kind="upgrade",
        details={"current_version": "2.1", "target_version": "3.0", "impact": "x"},
    )
    assert ticket.subject == "VPN drops every hour"
    assert ticket.status == Status.new
    assert ticket.organisation_id == customer.organisation_id
    assert ticket.details == {
        "current_version": "2.1",
        "target_version": "3.0",
    }  # impact is not an upgrade field
    assert [m.body for m in ticket.messages] == ["It shows error E-42 since this morning."]
    assert [e.kind for e in ticket.events] == ["created"]
    assert ticket.created_at == NOW


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", ""),
        ("subject", "x" * 201),
        ("kind", "complaint"),
        ("priority", "critical"),
        ("body", "  "),
    ],
)
def test_open_ticket_refuses_bad_input_naming_the_field(field, value):
    with pytest.raises(services.TicketError) as error:
        make_ticket(**{field: value})
    assert error.value.field == field


def test_first_staff_reply_opens_ticket_and_marks_first_response():
    ticket = make_ticket(now=NOW)
    engineer = make_engineer()
    services.add_message(ticket, author=engineer, body="Looking into it.", now=NOW + timedelta(minutes=5))
    assert ticket.status == Status.open
    assert ticket.first_response_at == NOW + timedelta(minutes=5)


def test_internal_note_is_not_a_response_and_customers_cannot_write_one():
    ticket = make_ticket(now=NOW)
    services.add_message(ticket, author=make_engineer(), body="Probably the driver.", internal=True, now=NOW)
    assert ticket.first_response_at is None and ticket.status == Status.new
    with pytest.raises(services.TicketError):
        services.add_message(ticket, author=ticket.requester, body="sneaky", internal=True)


@pytest.mark.parametrize("status", [Status.pending, Status.resolved])
def test_customer_reply_moves_pending_or_resolved_back_to_open(status):
    ticket = make_ticket()
    engineer = make_engineer()
    services.update_ticket(ticket, actor=engineer, status=status)
    services.add_message(ticket, author=ticket.requester, body="Still broken.")
    assert ticket.status == Status.open
    assert ticket.resolved_at is None


def test_customer_cannot_write_on_closed_ticket_but_can_reopen_it():
    ticket = make_ticket()
    services.change_status(ticket, Status.closed, actor=ticket.requester)
    with pytest.raises(services.TicketError):
        services.add_message(ticket, author=ticket.requester, body="hello?")
    services.change_status(ticket, Status.open, actor=ticket.requester)
    assert ticket.status == Status.open and ticket.closed_at is None


def test_customer_cannot_set_staff_statuses():
    ticket = make_ticket()
    with pytest.raises(services.TicketError):
        services.change_status(ticket, Status.on_hold, actor=ticket.requester)


def test_stale_version_is_refused_and_nothing_changes():
    ticket = make_ticket()
    first, second = make_engineer(), make_engineer()
    seen = ticket.version
    services.update_ticket(ticket, actor=first, expected_version=seen, priority="high")
    db.session.flush()
    with pytest.raises(services.StaleTicket):
        services.update_ticket(ticket, actor=second, expected_version=seen, priority="low")
    assert ticket.priority == "high"


def test_every_change_is_in_the_history_with_actor():
    ticket = make_ticket()
    engineer = make_engineer()
    services.update_ticket(
        ticket, actor=engineer, priority="urgent", assignee=engineer, status=Status.on_hold
    )
    changes = [
        (e.kind, e.actor_id, e.data)
        for e in db.session.scalars(
            db.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
    ][1:]
    assert changes[0] == (
        "field_changed",
        engineer.id,
        {"field": "priority", "from": "normal", "to": "urgent"},
    )
    assert changes[1][0] == "assigned" and changes[1][2]["to_id"] == engineer.id
    assert changes[2] == ("status_changed", engineer.id, {"from": "new", "to": "on_hold"})


def test_assign_only_to_staff():
    ticket = make_ticket()
    with pytest.raises(services.TicketError):
        services.assign(ticket, make_user(), actor=make_engineer())


def test_merge_moves_thread_and_closes_duplicate():
    customer = make_user()
    target = make_ticket(customer)
    source = make_ticket(customer, body="Same problem here")
    services.merge_tickets(source, target, actor=make_engineer())
    db.session.refresh(target)
    assert [m.body for m in target.messages][-1] == "Same problem here"
    assert source.status == Status.closed and source.merged_into_id == target.id
    with pytest.raises(services.TicketError):
        services.add_message(source, author=customer, body="more")


def test_merge_across_organisations_is_refused():
    with pytest.raises(services.TicketError):
        services.merge_tickets(make_ticket(), make_ticket(), actor=make_engineer())


def test_bulk_update_applies_what_it_can():
    engineer = make_engineer()
    tickets = [make_ticket(), make_ticket()]
    refused = services.bulk_update(tickets, actor=engineer, status=Status.pending, assignee=engineer)
    assert refused == {}
    assert {t.status for t in tickets} == {Status.pending}
    assert {t.assignee_id for t in tickets} == {engineer.id}


def test_attachments_are_stored_and_limits_enforced(app):
    ticket = make_ticket(attachments=[Upload("log.txt", b"boot failed\n")])
    attachment = ticket.messages[0].attachments[0]
    assert (attachment.filename, attachment.size, attachment.content_type) == ("log.txt", 12, "text/plain")
    with pytest.raises(AttachmentRejected):
        make_ticket(attachments=[Upload("big.log", b"x" * (app.config["ATTACHMENT_MAX_BYTES"] + 1))])
    with pytest.raises(AttachmentRejected):
        make_ticket(attachments=[Upload("run.exe", b"MZ")])
