"""The engineer queue and the staff ticket page, as engineers use them."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.models import User
from support import queries, services
from support.attachments import Upload
from support.models import Attachment, Message, Status, Ticket, TicketEvent
from tests.factories import make_engineer, make_org, make_ticket, make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def commit():
    # Views roll back after a refused change; committed rows (savepoints here) survive that.
    db.session.commit()


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def numbers_in(response) -> list[int]:
    """Ticket numbers in the order the queue lists them."""
    return [int(n) for n in re.findall(r'data-ticket="(\d+)"', response.get_data(as_text=True))]


def link(response, rel: str) -> str | None:
    match = re.search(rf'href="([^"]+)" rel="{rel}"', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def selected(response, name: str) -> str | None:
    """The chosen option of the select called `name`."""
    page = response.get_data(as_text=True)
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    option = re.search(r'<option selected value="([^"]*)"', select.group(1))
    return option.group(1) if option else None


def version_on(response, form: str = "props") -> int:
    match = re.search(rf'name="{form}-version" type="hidden" value="(\d+)"', response.get_data(as_text=True))
    assert match, f"no {form}-version on the page"
    return int(match.group(1))


def properties(ticket: Ticket, **overrides) -> dict:
    data = {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": str(ticket.assignee_id or ""),
        "kind": ticket.kind,
        "product": ticket.product,
        "component": ticket.component,
        "version": ticket.version,
    }
    data.update(overrides)
    return {f"props-{key}": value for key, value in data.items()}


@pytest.fixture
def engineer():
    user = make_engineer(name="Erin Engineer")
    commit()
    return user


@pytest.fixture
def staff(login, engineer):
    return login(engineer)


# -- who may enter ---------------------------------------------------------------------------------

PAGES = [
    ("get", "/queue"),
    ("get", "/queue/tickets/{n}"),
    ("post", "/queue/bulk"),
    ("post", "/queue/tickets/{n}/claim"),
    ("post", "/queue/tickets/{n}/reply"),
    ("post", "/queue/tickets/{n}/properties"),
    ("post", "/queue/tickets/{n}/merge"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_customers_are_refused_and_anonymous_users_sent_to_login(client, login, method, path):
    ticket = make_ticket()
    commit()
    url = path.format(n=ticket.number)
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302
    assert anonymous.location.startswith("/login?next=")
    assert getattr(login(ticket.requester), method)(url).status_code == 403
    assert ticket.messages[-1].body == "It shows error E-42 since this morning."  # nothing was written


def test_unknown_ticket_is_404(staff):
    assert staff.get("/queue/tickets/999999").status_code == 404


# -- the queue: what shows, filters and sorts ------------------------------------------------------


@pytest.fixture
def desk(engineer):
    """A small desk: two organisations, every status that matters, tickets mine, a colleague's, nobody's."""
    acme, globex = make_org("Acme"), make_org("Globex")
    ann, bob = make_user(org=acme, name="Ann"), make_user(org=globex, name="Bob")
    colleague = make_engineer(name="Colin Colleague")
    t = {
        "urgent": make_ticket(ann, priority="urgent", product="Router", now=NOW),
        "licence": make_ticket(
            bob, subject="Licence renewal", kind="question", priority="low", now=NOW + timedelta(minutes=1)
        ),
        "maintenance": make_ticket(
            ann, kind="maintenance", priority="high", product="Switch", now=NOW + timedelta(minutes=2)
        ),
        "resolved": make_ticket(bob, kind="upgrade", now=NOW + timedelta(minutes=3)),
        "closed": make_ticket(ann, now=NOW + timedelta(minutes=4)),
    }
    services.update_ticket(t["urgent"], actor=engineer, assignee=engineer, status="open", now=NOW)
    services.update_ticket(t["maintenance"], actor=engineer, assignee=colleague, status="pending", now=NOW)
    services.update_ticket(t["resolved"], actor=engineer, status="resolved", now=NOW)
    services.update_ticket(t["closed"], actor=engineer, status="closed", now=NOW)
    commit()
    return {"tickets": t, "acme": acme, "globex": globex, "colleague": colleague}


def test_default_queue_shows_open_work_soonest_sla_due_first_and_unassigned_visibly(staff, desk):
    t = desk["tickets"]
    response = staff.get("/queue")
    assert response.status_code == 200
    # Urgent answers within 30 minutes; no SLA clock runs while a ticket waits on the customer.
    assert numbers_in(response) == [t["urgent"].id, t["licence"].id, t["maintenance"].id]
    page = text_of(response)
    assert "<mark>Unassigned</mark>" in page
    assert "Licence renewal" in page and "Bob" in page and "Globex" in page
    assert "Paused, " in page and "First response" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "resolved"}, ["resolved"]),
        ({"status": "pending"}, ["maintenance"]),
        ({"status": ["new", "open"]}, ["urgent", "licence"]),
        ({"status": "all"}, ["urgent", "maintenance", "resolved", "closed", "licence"]),
        ({"kind": "question"}, ["licence"]),
        ({"priority": "high"}, ["maintenance"]),
        ({"assignee": "me"}, ["urgent"]),
        ({"assignee": "none"}, ["licence"]),
        (lambda d: {"assignee": d["colleague"].id}, ["maintenance"]),
        (lambda d: {"organisation": d["globex"].id}, ["licence"]),
        ({"product": "Router"}, ["urgent"]),
        ({"q": "LICENCE"}, ["licence"]),
        (lambda d: {"q": f"#{d['tickets']['maintenance'].id}"}, ["maintenance"]),
        (lambda d: {"q": f"#{d['tickets']['resolved'].id}", "status": "all"}, ["resolved"]),
    ],
)
def test_each_filter_narrows_the_queue(staff, desk, query, expected):
    query = query(desk) if callable(query) else query
    response = staff.get("/queue", query_string={"sort": "priority", **query})
    assert response.status_code == 200
    assert numbers_in(response) == [desk["tickets"][name].id for name in expected]


def test_an_invalid_filter_is_a_400_that_says_so(staff, desk):
    response = staff.get("/queue", query_string={"priority": "critical"})
    assert response.status_code == 400
    assert "Some filters are not valid" in text_of(response)


def test_empty_queue_says_what_to_do_next(staff, desk):
    response = staff.get("/queue", query_string={"q": "no such subject anywhere"})
    assert response.status_code == 200
    page = text_of(response)
    assert "No ticket matches these filters." in page and "Clear the filters" in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("priority", ["c_urgent_new", "a_high_old", "b_normal_mid"]),
        # c is still waiting for a first response (30 minutes, around the clock); a (high) resolves sooner.
        ("sla_due", ["c_urgent_new", "a_high_old", "b_normal_mid"]),
        ("oldest", ["a_high_old", "b_normal_mid", "c_urgent_new"]),
        ("created", ["c_urgent_new", "b_normal_mid", "a_high_old"]),
        ("updated", ["b_normal_mid", "a_high_old", "c_urgent_new"]),
    ],
)
def test_each_sort_orders_the_queue(staff, engineer, sort, expected):
    made = {
        "a_high_old": make_ticket(priority="high", now=NOW),
        "b_normal_mid": make_ticket(priority="normal", now=NOW + timedelta(hours=1)),
        "c_urgent_new": make_ticket(priority="urgent", now=NOW + timedelta(hours=2)),
    }
    services.add_message(made["a_high_old"], author=engineer, body="On it.", now=NOW + timedelta(hours=3))
    services.add_message(made["b_normal_mid"], author=engineer, body="On it.", now=NOW + timedelta(hours=4))
    commit()
    response = staff.get("/queue", query_string={"sort": sort})
    assert numbers_in(response) == [made[name].id for name in expected]


def test_keyset_pages_walk_forwards_and_backwards_without_gaps_or_repeats(staff):
    requester = make_user()
    # Seven tickets share each creation time, so the id has to break ties for the cursor to be exact.
    tickets = [
        make_ticket(requester, priority=("urgent", "normal")[i % 2], now=NOW + timedelta(minutes=i // 7))
        for i in range(120)
    ]
    commit()
    expected = [t.id for t in sorted(tickets, key=lambda t: (t.priority_rank, t.created_at, t.id))]

    pages, url, last = [], "/queue", None
    while url:
        response = staff.get(url)
        assert response.status_code == 200
        pages.append(numbers_in(response))
        last, url = url, link(response, "next")
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [n for page in pages for n in page] == expected
    assert "cursor=" in last

    backwards, url = [], link(staff.get(last), "prev")
    while url:
        response = staff.get(url)
        backwards.insert(0, numbers_in(response))
        url = link(response, "prev")
    assert backwards == pages[:-1]


def test_the_queue_never_counts_the_table(staff, desk):
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement.lower())

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert staff.get("/queue", query_string={"status": "all"}).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert statements and not [s for s in statements if "count(" in s]


def test_htmx_gets_only_the_results_fragment(staff, desk):
    full = staff.get("/queue", query_string={"kind": "question"})
    fragment = staff.get("/queue", query_string={"kind": "question"}, headers={"HX-Request": "true"})
    assert "<html" in full.get_data(as_text=True) and 'hx-get="/queue"' in full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and '<form method="get"' not in body
    assert numbers_in(fragment) == [desk["tickets"]["licence"].id]
    assert "HX-Request" in fragment.headers["Vary"]


# -- bulk actions and claiming ---------------------------------------------------------------------


def test_bulk_sets_status_and_assignee_and_reports_refusals(staff, engineer, desk):
    t = desk["tickets"]
    services.merge_tickets(t["closed"], make_ticket(t["closed"].requester), actor=engineer)
    commit()
    chosen = [t["licence"], t["maintenance"], t["closed"]]
    response = staff.post(
        "/queue/bulk?assignee=none&sort=oldest",
        data={"bulk-tickets": [x.id for x in chosen], "bulk-status": "on_hold", "bulk-assignee": "me"},
    )
    assert response.status_code == 303
    assert response.location == "/queue?assignee=none&sort=oldest"
    db.session.expire_all()
    for ticket in chosen[:2]:
        assert (ticket.status, ticket.assignee_id) == (Status.on_hold, engineer.id)
    assert t["closed"].status == Status.closed  # merged: refused, and left alone
    page = text_of(staff.get(response.location))
    assert "2 tickets updated." in page
    assert f"#{t['closed'].id} was not changed" in page


def test_bulk_without_a_selection_or_a_change_explains(staff, desk):
    response = staff.post("/queue/bulk", data={"bulk-status": "open"}, follow_redirects=True)
    assert "Tick the tickets you want to change first." in text_of(response)
    response = staff.post(
        "/queue/bulk", data={"bulk-tickets": [desk["tickets"]["licence"].id]}, follow_redirects=True
    )
    assert "Choose a status or an assignee" in text_of(response)


def test_claim_assigns_to_me_and_returns_to_the_same_filtered_page(staff, engineer, desk):
    ticket = desk["tickets"]["licence"]
    response = staff.post(
        f"/queue/tickets/{ticket.id}/claim?assignee=none&kind=question",
        data={"return_to": "queue", "seen_assignee": ""},
    )
    assert response.status_code == 303
    assert response.location == "/queue?assignee=none&kind=question"
    db.session.expire_all()
    assert ticket.assignee_id == engineer.id
    assert [(e.kind, e.actor_id) for e in ticket.events if e.kind == "assigned"] == [
        ("assigned", engineer.id)
    ]


def test_claim_does_not_take_a_ticket_a_colleague_took_meanwhile(staff, engineer, desk):
    ticket = desk["tickets"]["maintenance"]  # the colleague's; the row was shown unassigned
    response = staff.post(f"/queue/tickets/{ticket.id}/claim", data={"seen_assignee": ""})
    assert response.location == f"/queue/tickets/{ticket.id}"
    db.session.expire_all()
    assert ticket.assignee_id == desk["colleague"].id
    assert "was assigned to Colin Colleague in the meantime" in text_of(staff.get(response.location))


# -- the ticket page -------------------------------------------------------------------------------


def test_ticket_page_shows_thread_notes_details_and_requester(staff, engineer):
    org = make_org("Initech", tier="premium")
    ticket = make_ticket(
        make_user(org=org, name="Peter"),
        kind="upgrade",
        details={"current_version": "2.1", "target_version": "3.0"},
    )
    services.add_message(ticket, author=engineer, body="Scheduling the upgrade.")
    services.add_message(ticket, author=engineer, body="Needs a DB backup first.", internal=True)
    commit()
    response = staff.get(f"/queue/tickets/{ticket.id}")
    page = text_of(response)
    assert response.status_code == 200
    assert "Peter" in page and "Initech" in page and "Tier: Premium" in page
    assert "Current version" in page and "3.0" in page
    assert 'class="message staff internal"' in page and "Internal note" in page
    assert page.count('class="message staff"') == 1


def test_reply_goes_to_the_customer_and_can_set_the_status_in_one_step(staff, engineer):
    ticket = make_ticket()
    commit()
    response = staff.post(
        f"/queue/tickets/{ticket.id}/reply",
        data={
            "reply-body": "Which driver version do you run?",
            "reply-status": "pending",
            "reply-version": ticket.version,
            "reply-reply": "Send reply",
            "reply-attachments": (io.BytesIO(b"step 1\nstep 2"), "howto.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.location == f"/queue/tickets/{ticket.id}"
    db.session.expire_all()
    message = ticket.messages[-1]
    assert (message.body, message.internal, message.author_id) == (
        "Which driver version do you run?",
        False,
        engineer.id,
    )
    assert ticket.status == Status.pending and ticket.first_response_at is not None
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.message_id == message.id))
    page = text_of(staff.get(response.location))
    assert f"/attachments/{attachment.id}/howto.txt" in page
    with staff.get(f"/attachments/{attachment.id}/howto.txt") as download:
        assert download.data == b"step 1\nstep 2"


def test_internal_note_stays_internal(staff, engineer):
    ticket = make_ticket()
    commit()
    response = staff.post(
        f"/queue/tickets/{ticket.id}/reply",
        data={
            "reply-body": "Customer is on the legacy plan.",
            "reply-version": ticket.version,
            "reply-note": "x",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    note = ticket.messages[-1]
    assert note.internal is True and note.body == "Customer is on the legacy plan."
    assert ticket.status == Status.new and ticket.first_response_at is None  # a note is not a response
    assert note not in queries.thread(ticket, include_internal=False)  # what portal and API show
    assert "Internal note" in text_of(staff.get(response.location))


def test_refused_reply_keeps_the_text_with_the_error_next_to_it(staff):
    ticket = make_ticket()
    commit()
    response = staff.post(
        f"/queue/tickets/{ticket.id}/reply",
        data={
            "reply-body": "Here is the tool.",
            "reply-version": ticket.version,
            "reply-reply": "Send reply",
            "reply-attachments": (io.BytesIO(b"MZ"), "tool.exe"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "files of this type are not accepted" in page and "Here is the tool.</textarea>" in page
    assert len(ticket.messages) == 1


def test_properties_change_status_and_more(staff, engineer):
    ticket = make_ticket()
    commit()
    response = staff.post(
        f"/queue/tickets/{ticket.id}/properties",
        data=properties(ticket, status="on_hold", priority="high", assignee=str(engineer.id), product="VPN"),
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (ticket.status, ticket.priority, ticket.assignee_id, ticket.product) == (
        "on_hold",
        "high",
        engineer.id,
        "VPN",
    )


def test_two_engineers_on_one_version_the_second_gets_409_and_keeps_their_values(login, engineer):
    ticket = make_ticket(priority="normal")
    other = make_engineer(name="Olga Other")
    commit()
    first_seen = version_on(login(engineer).get(f"/queue/tickets/{ticket.id}"))
    second_seen = version_on(login(other).get(f"/queue/tickets/{ticket.id}"))
    assert first_seen == second_seen

    first = login(engineer).post(
        f"/queue/tickets/{ticket.id}/properties",
        data=properties(ticket, priority="urgent", version=first_seen),
    )
    assert first.status_code == 303

    second = login(other).post(
        f"/queue/tickets/{ticket.id}/properties",
        data=properties(ticket, priority="low", status="resolved", component="Tray 2", version=second_seen),
    )
    assert second.status_code == 409
    page = text_of(second)
    assert "This ticket was changed by someone else while you were editing" in page
    assert (selected(second, "props-priority"), selected(second, "props-status")) == ("low", "resolved")
    assert 'value="Tray 2"' in page
    assert re.search(r'data-testid="current-priority">\s*Now:\s*Urgent', page)  # what is stored now
    db.session.expire_all()
    assert (ticket.priority, ticket.status, ticket.component) == ("urgent", "new", "")

    # The page now carries the current version: submitting again, having looked, goes through.
    again = login(other).post(
        f"/queue/tickets/{ticket.id}/properties",
        data=properties(ticket, priority="low", status="resolved", version=version_on(second)),
    )
    assert again.status_code == 303
    db.session.expire_all()
    assert (ticket.priority, ticket.status) == ("low", "resolved")


def test_a_stale_reply_is_sent_but_a_stale_status_change_waits_for_confirmation(staff, engineer):
    ticket = make_ticket()
    seen = ticket.version
    services.update_ticket(ticket, actor=make_engineer(), status="resolved")
    commit()

    bundled = staff.post(
        f"/queue/tickets/{ticket.id}/reply",
        data={"reply-body": "Try the new driver.", "reply-status": "pending", "reply-version": seen},
    )
    assert bundled.status_code == 409
    page = text_of(bundled)
    assert "changed by someone else" in page and "Try the new driver.</textarea>" in page
    assert selected(bundled, "reply-status") == "pending"
    db.session.expire_all()
    assert len(ticket.messages) == 1 and ticket.status == Status.resolved

    alone = staff.post(
        f"/queue/tickets/{ticket.id}/reply", data={"reply-body": "Try the new driver.", "reply-version": seen}
    )
    assert alone.status_code == 303
    db.session.expire_all()
    assert ticket.messages[-1].body == "Try the new driver." and ticket.status == Status.resolved


def test_merge_into_another_ticket(staff, engineer):
    requester = make_user()
    duplicate, original = make_ticket(requester), make_ticket(requester)
    commit()
    response = staff.post(f"/queue/tickets/{duplicate.id}/merge", data={"merge-target": original.id})
    assert response.status_code == 303
    db.session.expire_all()
    assert duplicate.merged_into_id == original.id and duplicate.status == Status.closed
    assert len(original.messages) == 2
    page = text_of(staff.get(response.location))
    assert f'This ticket was merged into <a href="/queue/tickets/{original.id}">#{original.id}</a>' in page


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("999999", "There is no ticket #999999."),
        ("self", "cannot be merged into itself"),
        ("", "Enter the number"),
    ],
)
def test_merge_refusals_are_form_errors(staff, target, error):
    ticket = make_ticket()
    commit()
    response = staff.post(
        f"/queue/tickets/{ticket.id}/merge",
        data={"merge-target": str(ticket.id) if target == "self" else target},
    )
    assert response.status_code == 400
    assert error in text_of(response)
    assert ticket.merged_into_id is None


def test_history_lists_every_change_with_who_did_it(staff, engineer):
    ticket = make_ticket(make_user(name="Carla Customer"))
    services.add_message(ticket, author=engineer, body="Hello")
    services.add_message(ticket, author=engineer, body="Hmm", internal=True)
    services.update_ticket(ticket, actor=engineer, status="pending", priority="urgent", assignee=engineer)
    services.update_ticket(ticket, actor=None, status="closed")  # a job closing it
    commit()
    response = staff.get(f"/queue/tickets/{ticket.id}")
    rows = re.findall(
        r'<tr data-event="([a-z_]+)">\s*<td>.*?</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>',
        text_of(response),
        re.S,
    )
    described = [(kind, who, " ".join(what.split())) for kind, who, what in rows]
    assert described == [
        ("created", "Carla Customer", "Opened the ticket: Fault / incident, Normal priority (Web portal)"),
        ("replied", "Erin Engineer", "Replied to the customer"),
        ("status_changed", "Erin Engineer", "Changed the status from New to Open"),
        ("noted", "Erin Engineer", "Added an internal note"),
        ("field_changed", "Erin Engineer", "Changed the priority from Normal to Urgent"),
        ("assigned", "Erin Engineer", "Assigned the ticket to Erin Engineer"),
        ("status_changed", "Erin Engineer", "Changed the status from Open to Waiting on customer"),
        ("status_changed", "System", "Changed the status from Waiting on customer to Closed"),
    ]
    assert len(rows) == db.session.scalar(
        sa.select(sa.func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    )


# -- no query per row ------------------------------------------------------------------------------


def count_statements(sql_counter, login, user_id: int, url: str) -> int:
    commit()
    db.session.expunge_all()  # nothing cached from the set-up may hide a query per row
    client = login(db.session.get(User, user_id))
    db.session.expunge_all()
    with sql_counter() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_queue_page_runs_the_same_statements_for_5_or_40_tickets(sql_counter, login, engineer):
    def add(n):
        for i in range(n):
            ticket = make_ticket(make_user(org=make_org()), priority=("urgent", "low")[i % 2])
            services.assign(ticket, make_engineer() if i % 3 else None, actor=None)

    engineer_id = engineer.id
    add(5)
    few = count_statements(sql_counter, login, engineer_id, "/queue")
    add(35)
    many = count_statements(sql_counter, login, engineer_id, "/queue")
    assert few < 15
    assert few == many


def test_ticket_page_runs_the_same_statements_for_2_or_20_messages(sql_counter, login, engineer):
    ticket_id, engineer_id = make_ticket().id, engineer.id

    def add(n):
        ticket = db.session.get(Ticket, ticket_id)
        for i in range(n):
            staff_author = i % 2 == 0
            author = make_engineer() if staff_author else ticket.requester
            files = [Upload(f"log{i}.txt", f"line {i}".encode())] if i % 4 == 0 else []
            services.add_message(
                ticket,
                author=author,
                body=f"message {i}",
                internal=staff_author and i % 3 == 0,
                attachments=files,
            )
        services.update_ticket(ticket, actor=make_engineer(), priority=("high", "low")[n % 2])

    add(1)
    few = count_statements(sql_counter, login, engineer_id, f"/queue/tickets/{ticket_id}")
    add(18)
    many = count_statements(sql_counter, login, engineer_id, f"/queue/tickets/{ticket_id}")
    assert db.session.scalar(sa.select(sa.func.count()).where(Message.ticket_id == ticket_id)) == 20
    assert few == many
