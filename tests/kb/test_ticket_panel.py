"""The knowledge panel on the staff ticket page: search and link, unlink, insert a link, write an
article from the ticket; the article page lists its tickets for staff."""

from __future__ import annotations

from core.extensions import db
from support import links
from support.services import add_message, change_status
from tests.factories import make_ticket, make_user


def test_the_panel_lists_links_and_searches_articles_to_link(client, login, editor, make_article, drain):
    article = make_article(title="Printer shows error E-42", body="Open tray 2.")
    db.session.commit()
    drain()
    ticket = make_ticket(subject="Printer E-42")
    login(editor)
    panel = client.get(f"/kb/tickets/{ticket.number}/panel", headers={"HX-Request": "true"})
    assert (
        panel.status_code == 200 and "No article is linked yet." in panel.text and "<html" not in panel.text
    )
    results = client.get(f"/kb/tickets/{ticket.number}/search?q=E-42", headers={"HX-Request": "true"})
    assert "Printer shows error E-42" in results.text and 'data-insert-target="#reply-body"' in results.text
    linked = client.post(
        f"/kb/tickets/{ticket.number}/links", data={"article_id": article.id, "relation": "solved_by"}
    )
    assert linked.status_code == 303 and linked.headers["Location"].endswith(
        f"/queue/tickets/{ticket.number}#knowledge"
    )
    panel = client.get(f"/kb/tickets/{ticket.number}/panel", headers={"HX-Request": "true"})
    assert "Solved by" in panel.text and f"/kb/{article.slug}" in panel.text
    link = links.links_of_ticket(ticket, editor)[0]
    assert client.post(f"/kb/tickets/{ticket.number}/links/{link.id}/delete").status_code == 303
    assert links.links_of_ticket(ticket, editor) == []


def test_the_panel_works_without_javascript_as_its_own_page(client, login, editor):
    ticket = make_ticket()
    login(editor)
    page = client.get(f"/kb/tickets/{ticket.number}/panel")
    assert page.status_code == 200 and "<html" in page.text


def test_linking_an_unknown_article_is_a_form_error(client, login, editor):
    ticket = make_ticket()
    login(editor)
    response = client.post(
        f"/kb/tickets/{ticket.number}/links", data={"article_id": "424242", "relation": "related"}
    )
    assert response.status_code == 400 and "There is no such article." in response.text


def test_write_an_article_from_a_resolved_ticket(client, login, editor):
    customer = make_user()
    ticket = make_ticket(customer, subject="VPN drops every hour", body="The tunnel closes after 60 minutes.")
    add_message(ticket, author=editor, body="Set keepalive to 20 seconds in the profile.")
    add_message(ticket, author=editor, body="Internal: check the firewall.", internal=True)
    change_status(ticket, "resolved", actor=editor)
    login(editor)
    response = client.post(f"/kb/tickets/{ticket.number}/draft")
    assert response.status_code == 303 and "/edit" in response.headers["Location"]
    link = links.links_of_ticket(ticket, editor)[0]
    article = link.article
    assert link.relation == "created_from" and article.status == "draft" and article.visibility == "internal"
    assert article.title == "VPN drops every hour"
    assert "The tunnel closes after 60 minutes." in article.body and "keepalive to 20 seconds" in article.body
    assert "firewall" not in article.body
    page = client.get(f"/kb/{article.id}")
    assert f"/queue/tickets/{ticket.number}" in page.text  # the article lists its tickets for staff


def test_customers_cannot_use_the_panel(client, login):
    customer = make_user()
    ticket = make_ticket(customer)
    login(customer)
    assert client.get(f"/kb/tickets/{ticket.number}/panel").status_code == 403
    assert client.post(f"/kb/tickets/{ticket.number}/draft").status_code == 403


def test_the_staff_ticket_page_includes_the_knowledge_panel(client, login, editor):
    ticket = make_ticket()
    login(editor)
    page = client.get(f"/queue/tickets/{ticket.number}")
    assert page.status_code == 200
    assert f'hx-get="/kb/tickets/{ticket.number}/panel"' in page.text and 'id="reply-body"' in page.text


def test_linking_and_unlinking_in_the_panel_say_what_happened(client, login, editor, make_article):
    article = make_article(title="Printer shows error E-42", body="Open tray 2.")
    ticket = make_ticket(subject="Printer E-42")
    login(editor)
    htmx = {"HX-Request": "true"}
    linked = client.post(
        f"/kb/tickets/{ticket.number}/links",
        data={"article_id": article.id, "relation": "related"},
        headers=htmx,
    )
    assert 'id="flashes"' in linked.text and 'hx-swap-oob="true"' in linked.text
    assert "Linked: Printer shows error E-42" in linked.text
    link = links.links_of_ticket(ticket, editor)[0]
    unlinked = client.post(f"/kb/tickets/{ticket.number}/links/{link.id}/delete", headers=htmx)
    assert "The article is no longer linked to this ticket." in unlinked.text
    # Shown once: the next panel load carries no stale message.
    panel = client.get(f"/kb/tickets/{ticket.number}/panel", headers=htmx)
    assert 'id="flashes"' not in panel.text
