"""The pages as engineers and customers use them: htmx answers with the piece of page it replaces, every
action says what happened, empty pages say what to do next, and the page frame serves keyboard and
screen-reader users (a skip link, landmarks, the language, a label on every field)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from core.extensions import db
from support import services
from support.models import Message, Ticket
from tests.factories import make_engineer, make_org, make_ticket, make_user

HTMX = {"HX-Request": "true"}
LONG_AGO = datetime.now(UTC) - timedelta(days=10)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def rows_of(response) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-ticket="(\d+)"', response.get_data(as_text=True))]


@pytest.fixture
def engineer():
    user = make_engineer(name="Erin Engineer")
    db.session.commit()
    return user


@pytest.fixture
def desk(engineer):
    """An organisation with three open tickets: one long overdue, one the customer answered, one fresh."""
    org = make_org("Acme UI")
    ann = make_user(org=org, name="Ann")
    overdue = make_ticket(ann, subject="Overdue one", priority="urgent", now=LONG_AGO)
    replied = make_ticket(ann, subject="Answered one", now=datetime.now(UTC) - timedelta(hours=2))
    services.add_message(
        replied, author=engineer, body="Which version?", now=datetime.now(UTC) - timedelta(hours=1)
    )
    services.add_message(
        replied, author=ann, body="Version 3.1.", now=datetime.now(UTC) - timedelta(minutes=5)
    )
    fresh = make_ticket(ann, subject="Fresh one", priority="low")
    db.session.commit()
    return {"org": org, "ann": ann, "overdue": overdue, "replied": replied, "fresh": fresh}


@pytest.fixture
def staff(login, engineer):
    return login(engineer)


# -- htmx: the queue changes in place -----------------------------------------------------------------


def test_htmx_filter_gets_results_only_and_a_history_restore_the_whole_page(staff, desk):
    query = {"organisation": desk["org"].id, "priority": "low"}
    fragment = staff.get("/queue", query_string=query, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert rows_of(fragment) == [desk["fresh"].number]
    assert "HX-Request" in fragment.headers["Vary"]
    restored = staff.get("/queue", query_string=query, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restored.text and 'id="queue-results"' in restored.text
    assert '<option selected value="low">' in restored.text  # the filters show what the results are


def test_queue_shows_what_needs_attention_first(staff, desk):
    response = staff.get("/queue", query_string={"organisation": desk["org"].id})
    page = response.get_data(as_text=True)
    assert rows_of(response)[0] == desk["overdue"].number  # soonest SLA due first: overdue on top
    assert re.search(rf'data-ticket="{desk["overdue"].number}"[^>]*data-attention="overdue"', page, re.S)
    assert re.search(rf'data-ticket="{desk["replied"].number}"[^>]*data-attention="replied"', page, re.S)
    assert re.search(rf'data-ticket="{desk["fresh"].number}"(?:(?!data-attention)[^>])*>', page, re.S)
    summary = re.search(r'data-testid="attention-summary">(.*?)</p>', text_of(response), re.S).group(1)
    assert "1 overdue" in summary and "1 customer replied" in summary and "3 unassigned" in summary
    assert "Customer replied" in text_of(response)


def test_claim_from_the_queue_by_htmx_answers_with_the_results_and_the_flash(staff, engineer, desk):
    ticket = desk["fresh"]
    response = staff.post(
        f"/queue/tickets/{ticket.number}/claim?organisation={desk['org'].id}",
        data={"return_to": "queue", "seen_assignee": ""},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#queue-results"
    assert sorted(rows_of(response)) == sorted(t.number for t in (desk["overdue"], desk["replied"], ticket))
    flashes = re.search(r'<div id="flashes"[^>]*hx-swap-oob="true">(.*?)</div>', text_of(response), re.S)
    assert f"#{ticket.number} is now assigned to you." in flashes.group(1)
    db.session.expire_all()
    assert ticket.assignee_id == engineer.id


def test_bulk_change_by_htmx_answers_with_the_results(staff, desk):
    response = staff.post(
        f"/queue/bulk?organisation={desk['org'].id}",
        data={"bulk-tickets": [desk["fresh"].number], "bulk-status": "on_hold"},
        headers=HTMX,
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert "1 ticket updated." in text_of(response)
    db.session.expire_all()
    assert desk["fresh"].status == "on_hold"


def test_quick_reply_form_then_reply_in_place(staff, desk):
    ticket = desk["replied"]
    url = f"/queue/tickets/{ticket.number}/quick-reply?organisation={desk['org'].id}"
    form = staff.get(url, headers=HTMX)
    assert form.status_code == 200 and "<html" not in form.text
    assert 'name="reply-return_to" type="hidden" value="queue"' in form.text
    assert f'name="reply-version" type="hidden" value="{ticket.version}"' in form.text
    assert (
        "data-autofocus" in form.text
        and f'hx-post="/queue/tickets/{ticket.number}/reply?organisation=' in form.text
    )

    sent = staff.post(
        f"/queue/tickets/{ticket.number}/reply?organisation={desk['org'].id}",
        data={"reply-body": "Fixed in 3.2.", "reply-version": ticket.version, "reply-return_to": "queue"},
        headers=HTMX,
    )
    assert sent.status_code == 200 and sent.headers["HX-Retarget"] == "#queue-results"
    assert f"Reply sent on #{ticket.number}." in text_of(sent)
    assert ticket.number in rows_of(sent)
    assert db.session.scalar(db.select(Message.body).order_by(Message.id.desc()).limit(1)) == "Fixed in 3.2."


def test_quick_reply_refused_comes_back_in_place_with_what_was_typed(staff, engineer, desk):
    ticket = desk["fresh"]
    base = f"/queue/tickets/{ticket.number}/reply"
    empty = staff.post(
        base,
        data={"reply-body": "", "reply-version": ticket.version, "reply-return_to": "queue"},
        headers=HTMX,
    )
    assert empty.status_code == 400 and "<html" not in empty.text
    assert 'class="quick-reply"' in empty.text and 'class="field-error"' in empty.text

    stale = ticket.version
    services.update_ticket(ticket, actor=engineer, status="open")
    db.session.commit()
    conflict = staff.post(
        base,
        data={
            "reply-body": "Closing.",
            "reply-status": "closed",
            "reply-version": stale,
            "reply-return_to": "queue",
        },
        headers=HTMX,
    )
    assert conflict.status_code == 409
    assert "Meanwhile the status became Open" in text_of(conflict)
    assert "Closing.</textarea>" in conflict.text
    assert f'name="reply-version" type="hidden" value="{ticket.version}"' in conflict.text
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.number).status == "open"


def test_without_htmx_the_reply_still_goes_back_to_the_ticket_page(staff, desk):
    ticket = desk["fresh"]
    response = staff.post(
        f"/queue/tickets/{ticket.number}/reply",
        data={"reply-body": "Hello", "reply-version": ticket.version, "reply-return_to": "queue"},
    )
    assert response.status_code == 303 and response.location == f"/queue/tickets/{ticket.number}"


# -- flashes after every action ---------------------------------------------------------------------


def test_every_queue_and_portal_action_says_what_happened(client, login, engineer, desk):
    ticket, ann = desk["fresh"], desk["ann"]
    login(engineer)
    done = [
        client.post(f"/queue/tickets/{ticket.number}/claim", data={}, follow_redirects=True),
        client.post(
            f"/queue/tickets/{ticket.number}/reply",
            data={"reply-body": "On it.", "reply-version": ticket.version},
            follow_redirects=True,
        ),
        client.post(
            f"/queue/tickets/{ticket.number}/properties",
            data={
                "props-status": "open",
                "props-priority": "high",
                "props-assignee": str(engineer.id),
                "props-kind": "incident",
                "props-version": db.session.get(Ticket, ticket.number).version,
            },
            follow_redirects=True,
        ),
        client.post(
            "/queue/bulk",
            data={"bulk-tickets": [desk["overdue"].number], "bulk-assignee": "me"},
            follow_redirects=True,
        ),
    ]
    login(ann)
    done += [
        client.post(
            f"/portal/tickets/{ticket.number}/replies", data={"body": "Thanks."}, follow_redirects=True
        ),
        client.post(
            f"/portal/tickets/{ticket.number}/status", data={"status": "closed"}, follow_redirects=True
        ),
        client.post(
            "/portal/tickets/new",
            data={"kind": "question", "subject": "Export?", "body": "How?", "priority": "normal"},
            follow_redirects=True,
        ),
        client.post("/logout", follow_redirects=True),
    ]
    for response in done:
        assert response.status_code == 200
        assert re.search(r'class="flash flash-\w+" role="(status|alert)">\s*\S', response.text), (
            response.request.path
        )


# -- empty states say what to do next ---------------------------------------------------------------


def test_empty_pages_say_what_to_do_next(client, login, engineer):
    newcomer = make_user(org=make_org("Nobody Yet"), name="New Customer")
    db.session.commit()
    login(newcomer)
    portal = client.get("/portal")
    assert "You have no tickets yet." in text_of(portal) and 'href="/portal/tickets/new"' in portal.text
    solved = client.get("/portal?status=done")
    assert "No tickets match this filter." in text_of(solved) and "Show all tickets" in text_of(solved)

    login(engineer)
    queue = client.get("/queue", query_string={"q": "no such words anywhere"})
    assert "No ticket matches these filters." in text_of(queue) and "Clear the filters" in text_of(queue)
    reviews = client.get("/reviews")
    assert "prepare one below" in text_of(reviews)
    kb = client.get("/kb", query_string={"q": "zzqx nothing like it"})
    assert "No article matches “zzqx nothing like it”." in text_of(kb)
    assert "browse all articles" in text_of(kb) and 'href="/kb/articles/new"' in kb.text


# -- the page frame ---------------------------------------------------------------------------------


def _unlabelled_fields(page: str) -> list[str]:
    """Visible form fields that neither a <label for>, a wrapping label nor an ARIA label names."""
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', page))
    missing = []
    for match in re.finditer(r"<(input|select|textarea)\b([^>]*)>", page):
        tag, attrs = match.groups()
        kind = re.search(r'type="([^"]+)"', attrs)
        if kind and kind.group(1) in ("hidden", "submit", "button"):
            continue
        if "aria-label=" in attrs or "aria-labelledby=" in attrs:
            continue
        field_id = re.search(r'id="([^"]+)"', attrs)
        if field_id and field_id.group(1) in labelled:
            continue
        # Wrapped in a label: the nearest label opened before it is not yet closed.
        before = page[: match.start()]
        if before.rfind("<label") > before.rfind("</label>"):
            continue
        missing.append(match.group(0)[:120])
    return missing


def test_pages_have_a_skip_link_landmarks_the_language_and_labelled_fields(client, login, engineer, desk):
    login(engineer)
    pages = ["/queue", f"/queue/tickets/{desk['fresh'].number}", "/kb", "/reviews", "/reports"]
    login(engineer)
    for path in pages:
        page = client.get(path).get_data(as_text=True)
        assert '<html lang="en">' in page, path
        assert '<a class="skip-link" href="#main">' in page and '<main class="container" id="main"' in page
        assert "<header" in page and '<nav class="site-nav" aria-label=' in page
        assert not _unlabelled_fields(page), (path, _unlabelled_fields(page))
    login(desk["ann"])
    for path in ["/portal", "/portal/tickets/new", f"/portal/tickets/{desk['fresh'].number}"]:
        page = client.get(path).get_data(as_text=True)
        assert not _unlabelled_fields(page), (path, _unlabelled_fields(page))
    # The current section is marked for screen readers as well as by its look.
    assert '<a href="/portal" aria-current="page">' in client.get("/portal").text
