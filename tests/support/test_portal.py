"""The customer portal as a customer uses it: lists, the new-ticket form, following and answering a ticket."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from support import services
from support.models import Attachment, Message, Status, Ticket
from tests.factories import make_engineer, make_org, make_ticket, make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def org():
    return make_org("Acme Printing")


@pytest.fixture
def customer(org):
    user = make_user("ann@acme.example", org=org, name="Ann Customer")
    # Views roll back after a refused change; committed rows (savepoints here) survive that.
    db.session.commit()
    return user


def commit():
    db.session.commit()


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def ticket_form(**overrides) -> dict:
    data = {
        "kind": "question",
        "subject": "How do I export the audit log?",
        "body": "We need last month's entries for an auditor.",
        "priority": "normal",
        "product": "Aftercare Server",
        "component": "Reports",
    }
    data.update(overrides)
    return data


def newest_ticket() -> Ticket | None:
    return db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()).limit(1))


# -- who may enter ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/portal", "/portal/tickets/new", "/portal/tickets/1"])
def test_anonymous_visitors_are_sent_to_login_and_back(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert path.replace("/", "%2F") in response.headers["Location"]


def test_staff_are_sent_to_the_queue(login):
    engineer = make_engineer()
    commit()
    response = login(engineer).get("/portal")
    assert response.status_code == 303
    assert response.headers["Location"] == "/queue"


# -- lists -----------------------------------------------------------------------------------------


def test_my_tickets_and_my_organisations_tickets_never_show_another_organisation(login, customer, org):
    colleague = make_user(org=org, name="Bob Colleague")
    stranger = make_user(org=make_org("Other Corp"))
    make_ticket(customer, subject="Ann's scanner jams")
    make_ticket(colleague, subject="Bob's VPN drops")
    make_ticket(stranger, subject="Secret of Other Corp")
    commit()
    client = login(customer)

    mine = text_of(client.get("/portal"))
    assert "Ann's scanner jams" in mine
    assert "Bob's VPN drops" not in mine
    assert "Secret of Other Corp" not in mine

    response = client.get("/portal?scope=org")
    assert response.status_code == 200
    org_page = text_of(response)
    assert "Ann's scanner jams" in org_page and "Bob's VPN drops" in org_page
    assert "Bob Colleague" in org_page  # who filed it, in the organisation's list
    assert "Secret of Other Corp" not in org_page


def test_list_shows_number_kind_status_priority_and_filters_by_status(login, customer):
    engineer = make_engineer()
    open_one = make_ticket(customer, subject="Printer offline", kind="incident", priority="urgent")
    done_one = make_ticket(customer, subject="Licence question", kind="question")
    services.change_status(done_one, "resolved", actor=engineer)
    commit()
    client = login(customer)

    page = text_of(client.get("/portal"))
    assert f">{open_one.number}</a>" in page
    assert "Fault / incident" in page and "Urgent" in page and "New" in page
    assert "Resolved" in page

    open_page = text_of(client.get("/portal?status=open"))
    assert "Printer offline" in open_page and "Licence question" not in open_page
    done_page = text_of(client.get("/portal?status=done"))
    assert "Licence question" in done_page and "Printer offline" not in done_page


def test_list_is_paginated_by_recent_update(login, customer, app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_PAGE_SIZE", 2)
    for n in range(3):
        make_ticket(customer, subject=f"Ticket number {n}", now=NOW + timedelta(hours=n))
    commit()
    client = login(customer)

    first = text_of(client.get("/portal"))
    assert "Ticket number 2" in first and "Ticket number 1" in first
    assert "Ticket number 0" not in first
    assert first.index("Ticket number 2") < first.index("Ticket number 1")
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1)

    second = text_of(client.get(older))
    assert "Ticket number 0" in second and "Ticket number 2" not in second
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_empty_list_invites_to_file_a_ticket(login, customer):
    page = text_of(login(customer).get("/portal"))
    assert "You have no tickets yet" in page
    assert 'href="/portal/tickets/new"' in page


# -- filing a ticket -------------------------------------------------------------------------------


def test_form_preselects_kind_from_query_and_shows_its_fields(login, customer):
    page = login(customer).get("/portal/tickets/new?kind=upgrade").get_data(as_text=True)
    assert re.search(r'<option selected value="upgrade">', page)
    assert "data-kind-select" in page
    assert '<fieldset data-kinds="upgrade">' in page  # shown
    assert '<fieldset data-kinds="incident" hidden>' in page  # hidden until chosen
    assert 'type="file"' in page and "multiple" in page


@pytest.mark.parametrize(
    ("kind", "extra", "details"),
    [
        (
            "incident",
            {"impact": "Nobody can print", "environment": "Windows 11", "steps": "1. Print\n2. Wait"},
            {"impact": "Nobody can print", "environment": "Windows 11", "steps": "1. Print\n2. Wait"},
        ),
        ("question", {"impact": "ignored for questions"}, {}),
        ("maintenance", {"preferred_window": "Sat 22:00-02:00"}, {"preferred_window": "Sat 22:00-02:00"}),
        (
            "upgrade",
            {"current_version": "2.1", "target_version": "3.0", "preferred_window": "Sunday", "steps": "x"},
            {"current_version": "2.1", "target_version": "3.0", "preferred_window": "Sunday"},
        ),
    ],
)
def test_filing_each_kind_stores_its_details(login, customer, kind, extra, details):
    client = login(customer)
    response = client.post("/portal/tickets/new", data=ticket_form(kind=kind, priority="high", **extra))
    assert response.status_code == 303
    ticket = newest_ticket()
    assert response.headers["Location"] == f"/portal/tickets/{ticket.number}"
    assert ticket.kind == kind and ticket.priority == "high" and ticket.channel == "web"
    assert ticket.details == details
    assert ticket.requester_id == customer.id and ticket.organisation_id == customer.organisation_id
    assert (ticket.product, ticket.component) == ("Aftercare Server", "Reports")
    assert [m.body for m in ticket.messages] == ["We need last month's entries for an auditor."]

    page = text_of(client.get(response.headers["Location"]))
    assert f"ticket #{ticket.number} is filed" in page  # the flashed confirmation
    for value in details.values():
        assert value in page


def test_missing_subject_names_the_field_and_keeps_what_was_typed(login, customer):
    response = login(customer).post(
        "/portal/tickets/new",
        data=ticket_form(kind="incident", subject="", impact="Whole office", body="Printer shows E-42"),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="subject-error"[^>]*>This field is required', page)
    assert "Printer shows E-42</textarea>" in page
    assert "Whole office</textarea>" in page
    assert newest_ticket() is None


def test_overlong_subject_is_refused_and_kept(login, customer):
    subject = "A" * 201
    response = login(customer).post("/portal/tickets/new", data=ticket_form(subject=subject))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="subject-error"' in page and "200" in page
    assert f'value="{subject}"' in page
    assert newest_ticket() is None


def test_unknown_kind_is_refused(login, customer):
    response = login(customer).post("/portal/tickets/new", data=ticket_form(kind="complaint"))
    assert response.status_code == 400
    assert 'id="kind-error"' in response.get_data(as_text=True)
    assert newest_ticket() is None


def test_upgrade_needs_current_and_target_version(login, customer):
    response = login(customer).post(
        "/portal/tickets/new", data=ticket_form(kind="upgrade", current_version="2.1", target_version="")
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Say which version you want to upgrade to." in page
    assert 'id="current_version-error"' not in page
    assert 'value="2.1"' in page
    assert newest_ticket() is None


@pytest.mark.parametrize(
    ("filename", "size", "message"),
    [("dump.log", 2048, "is too large"), ("setup.exe", 10, "files of this type are not accepted")],
)
def test_refused_attachment_keeps_everything_typed(
    login, customer, app, monkeypatch, filename, size, message
):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    data = ticket_form(kind="incident", subject="Crash on start", steps="Open the app")
    data["attachments"] = [(io.BytesIO(b"x" * size), filename)]
    response = login(customer).post("/portal/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = text_of(response)
    error = re.search(r'id="attachments-error"[^>]*>([^<]+)<', page).group(1)
    assert filename in error and message in error and "attach your files again" in error
    assert 'value="Crash on start"' in page and "Open the app</textarea>" in page
    assert newest_ticket() is None


def test_files_of_a_refused_form_are_named_to_attach_again(login, customer):
    data = ticket_form(subject="")
    data["attachments"] = [(io.BytesIO(b"log line"), "error.log")]
    response = login(customer).post("/portal/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "attach them again: error.log" in text_of(response)


def test_attachments_are_stored_and_downloadable_only_within_the_organisation(login, client, customer, org):
    data = ticket_form()
    data["attachments"] = [
        (io.BytesIO(b"line 1\nline 2\n"), "server.log"),
        (io.BytesIO(b"%PDF-1"), "spec.pdf"),
    ]
    response = login(customer).post("/portal/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    ticket = newest_ticket()
    stored = db.session.scalars(
        sa.select(Attachment).join(Message).where(Message.ticket_id == ticket.id).order_by(Attachment.id)
    ).all()
    assert [(a.filename, a.size) for a in stored] == [("server.log", 14), ("spec.pdf", 6)]

    page = client.get(f"/portal/tickets/{ticket.number}").get_data(as_text=True)
    link = re.search(r'href="(/attachments/\d+/server.log)"', page).group(1)
    with client.get(link) as download:
        assert download.status_code == 200 and download.data == b"line 1\nline 2\n"

    colleague = make_user(org=org)
    stranger = make_user(org=make_org("Other Corp"))
    commit()
    with login(colleague).get(link) as download:
        assert download.status_code == 200
    assert login(stranger).get(link).status_code == 404


# -- one ticket ------------------------------------------------------------------------------------


def test_ticket_page_shows_details_public_thread_and_assignee_name_only(login, customer):
    engineer = make_engineer(email="eve.engineer@support.example", name="Eve Engineer")
    ticket = make_ticket(
        customer, kind="upgrade", details={"current_version": "2.1", "target_version": "3.0"}
    )
    services.assign(ticket, engineer, actor=engineer)
    services.add_message(ticket, author=engineer, body="We can upgrade on Saturday.")
    services.add_message(ticket, author=engineer, body="Customer is on an unsupported OS", internal=True)
    commit()

    response = login(customer).get(f"/portal/tickets/{ticket.number}")
    assert response.status_code == 200
    page = text_of(response)
    assert ticket.subject in page
    assert "Current version" in page and "2.1" in page and "Target version" in page and "3.0" in page
    assert "We can upgrade on Saturday." in page
    assert "unsupported OS" not in page
    assert "Eve Engineer" in page and "eve.engineer@support.example" not in page
    assert "My problem is solved" in page and 'name="body"' in page


@pytest.mark.parametrize("whose", ["other organisation", "unknown"])
def test_ticket_of_another_organisation_is_not_found(login, customer, whose):
    stranger = make_user(org=make_org("Other Corp"))
    number = 999_999 if whose == "unknown" else make_ticket(stranger).number
    commit()
    client = login(customer)
    assert client.get(f"/portal/tickets/{number}").status_code == 404
    assert client.post(f"/portal/tickets/{number}/replies", data={"body": "hi"}).status_code == 404
    assert client.post(f"/portal/tickets/{number}/status", data={"status": "closed"}).status_code == 404


def test_customer_reply_reopens_a_pending_ticket(login, customer):
    ticket = make_ticket(customer)
    services.change_status(ticket, "pending", actor=make_engineer())
    commit()
    client = login(customer)
    response = client.post(f"/portal/tickets/{ticket.number}/replies", data={"body": "Here is the log."})
    assert response.status_code == 303
    assert ticket.status == Status.open
    assert ticket.messages[-1].body == "Here is the log."
    assert "Here is the log." in text_of(client.get(f"/portal/tickets/{ticket.number}"))


def test_empty_reply_is_refused_with_a_message(login, customer):
    ticket = make_ticket(customer)
    commit()
    response = login(customer).post(f"/portal/tickets/{ticket.number}/replies", data={"body": "  "})
    assert response.status_code == 400
    assert "Write a message or attach a file." in text_of(response)
    assert len(ticket.messages) == 1


def test_reply_with_a_refused_attachment_keeps_the_text(login, customer):
    ticket = make_ticket(customer)
    commit()
    data = {"body": "See the attached program", "attachments": [(io.BytesIO(b"MZ"), "tool.exe")]}
    response = login(customer).post(
        f"/portal/tickets/{ticket.number}/replies", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "tool.exe" in page and "attach your files again" in page
    assert "See the attached program</textarea>" in page
    assert len(ticket.messages) == 1


def test_customer_closes_and_reopens_a_ticket(login, customer):
    ticket = make_ticket(customer)
    commit()
    client = login(customer)

    response = client.post(f"/portal/tickets/{ticket.number}/status", data={"status": "closed"})
    assert response.status_code == 303
    assert ticket.status == Status.closed
    page = text_of(client.get(f"/portal/tickets/{ticket.number}"))
    assert "Reopen the ticket" in page and 'name="body"' not in page

    response = client.post(f"/portal/tickets/{ticket.number}/status", data={"status": "open"})
    assert response.status_code == 303
    assert ticket.status == Status.open
    assert 'name="body"' in text_of(client.get(f"/portal/tickets/{ticket.number}"))


def test_resolved_ticket_offers_reopen_and_customer_cannot_set_other_statuses(login, customer):
    ticket = make_ticket(customer)
    services.change_status(ticket, "resolved", actor=make_engineer())
    commit()
    client = login(customer)
    page = text_of(client.get(f"/portal/tickets/{ticket.number}"))
    assert "Reopen the ticket" in page and "My problem is solved" in page

    response = client.post(f"/portal/tickets/{ticket.number}/status", data={"status": "pending"})
    assert response.status_code == 400
    assert ticket.status == Status.resolved


def test_reopening_an_open_ticket_is_refused_with_the_reason(login, customer):
    ticket = make_ticket(customer)
    commit()
    response = login(customer).post(f"/portal/tickets/{ticket.number}/status", data={"status": "open"})
    assert response.status_code == 400
    assert "Customers can only close or reopen a ticket." in text_of(response)


def test_merged_ticket_points_to_the_ticket_it_was_merged_into(login, customer):
    engineer = make_engineer()
    duplicate = make_ticket(customer, subject="Printer broken again")
    target = make_ticket(customer, subject="Printer broken")
    services.merge_tickets(duplicate, target, actor=engineer)
    commit()
    page = text_of(login(customer).get(f"/portal/tickets/{duplicate.number}"))
    assert f"merged into ticket #{target.number}" in page
    assert f'href="/portal/tickets/{target.number}"' in page
    assert 'name="body"' not in page
