"""The main journeys in a real browser, in English and in Chinese.

A customer files each kind of ticket with an attachment and is offered articles while typing; an engineer
finds one in the queue, claims it, writes an internal note and a public reply and waits on the customer;
the customer answers (never seeing the note) and the ticket is open again; the engineer resolves it and
links the article that solved it. Every page visited is saved as a screenshot (the customer's at a
phone's width too) and must speak only the journey's language.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from playwright.sync_api import expect

from core.extensions import db
from kb import indexing
from kb import services as kb_services
from support.labels import KIND_LABELS, STATUS_LABELS
from support.models import DETAIL_FIELDS
from tests.e2e.journey_scripts import SCRIPTS, Script
from tests.e2e.people import PASSWORD, foreign_texts, interface_text, new_page, sign_in, user_content
from tests.factories import make_engineer, make_org, make_user

DETAIL_INPUTS = ("impact", "environment", "steps", "preferred_window", "current_version", "target_version")


@dataclass
class Journey:
    """What one journey needs at every step: its script, its people, its screenshots, its findings."""

    script: Script
    app: object
    seed: object
    screenshots: object
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    leftovers: dict[str, list[str]] = field(default_factory=dict)  # text -> the pages it is on

    def t(self, text, **variables) -> str:
        """A UI string (or lazy label) as the journey's language shows it."""
        with self.app.test_request_context(), force_locale(self.script.locale):
            return str(babel_gettext(text, **variables) if isinstance(text, str) else text)

    def look(self, page, name: str, *, phone: bool = False) -> None:
        """Save the page as a screenshot and note any word of the other language on it."""
        expect(page.locator("html")).to_have_attribute("lang", self.script.html_lang)
        self.screenshots.take(page, name, phone=phone)
        # What people typed may sit in a field before it is saved, so the script's text counts as theirs.
        content = [*self.seed(user_content), *self.script.typed()]
        texts = interface_text(page, content)
        # Not a vacuous pass: the page has words of its own in the journey's language.
        assert foreign_texts(texts, "en" if self.script.locale == "zh_Hans" else "zh_Hans"), name
        for text in foreign_texts(texts, self.script.locale):
            self.leftovers.setdefault(text, []).append(name)

    def untranslated(self) -> str:
        return "\n".join(
            f"  {text[:100]!r} on {', '.join(dict.fromkeys(pages))}" for text, pages in self.leftovers.items()
        )


def locale_of(email: str) -> str | None:
    from core.models import User

    return db.session.scalar(db.select(User.locale).where(User.email == email))


def ticket_state(number: int) -> dict:
    from support.links import TicketArticle
    from support.models import Ticket

    ticket = db.session.get(Ticket, number)
    return {
        "status": str(ticket.status),
        "kind": str(ticket.kind),
        "details": dict(ticket.details or {}),
        "assignee": ticket.assignee.email if ticket.assignee else None,
        "messages": [(m.body, m.internal, [a.filename for a in m.attachments]) for m in ticket.messages],
        "links": [
            (link.article.title, link.relation)
            for link in db.session.scalars(
                db.select(TicketArticle).where(TicketArticle.ticket_id == ticket.id)
            )
        ],
    }


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
def test_ticket_journey_from_filing_to_resolution(
    language, browser, live_server, live_app, seed, screenshots
):
    journey = Journey(SCRIPTS[language], live_app, seed, screenshots)
    script = journey.script
    customer_email, engineer_email, org_name = prepare(journey)

    customer = new_page(browser, live_server, locale=script.browser_locale)
    desk = new_page(browser, live_server, locale="en-US")
    try:
        walk(journey, customer, desk, customer_email, engineer_email, org_name)
    except BaseException:
        # What each person saw when it went wrong, next to the pages before it.
        for person, page in (("customer", customer), ("engineer", desk)):
            if page.url.startswith("http"):
                with contextlib.suppress(Exception):  # the step's own error is the one to report
                    journey.screenshots.take(page, f"failed-{person}")
        raise
    finally:
        customer.context.close()
        desk.context.close()

    language = "Chinese" if script.locale == "zh_Hans" else "English"
    if journey.leftovers:
        pytest.fail(
            f"Interface text that is not {language}, and where:\n{journey.untranslated()}", pytrace=False
        )


def walk(journey: Journey, customer, desk, customer_email: str, engineer_email: str, org_name: str) -> None:
    """The journey itself: `customer` and `desk` (the engineer) are pages of two browser contexts."""
    script = journey.script
    customer.goto("/login")
    journey.look(customer, "login", phone=True)
    sign_in(customer, customer_email)
    numbers = {
        filing.kind: file_ticket(journey, customer, filing, first=index == 0)
        for index, filing in enumerate(script.filings)
    }

    customer.goto("/portal")
    for filing in script.filings:
        expect(customer.get_by_role("link", name=filing.subject)).to_be_visible()
    journey.look(customer, "portal-tickets", phone=True)

    worked = script.filings[0]
    number = numbers[worked.kind]
    work_until_pending(journey, desk, engineer_email, org_name, worked, number)
    answer_in_portal(journey, customer, number)
    resolve_and_link(journey, desk, worked, number)

    customer.reload()
    expect(status_badge(customer, "resolved", journey)).to_be_visible()
    assert script.note not in customer.content()
    journey.look(customer, "portal-ticket-resolved", phone=True)


def prepare(journey: Journey) -> tuple[str, str, str]:
    """The customer (in the journey's language), an engineer (in English until they switch), and
    the articles that answer the tickets, published and indexed."""
    script, tag = journey.script, journey.tag

    def make():
        org = make_org(f"{script.org_name} {tag}", tier="premium")
        customer = make_user(
            f"customer-{tag}@e2e.example",
            org=org,
            name=script.customer_name,
            password=PASSWORD,
            locale=script.locale,
        )
        engineer = make_engineer(
            email=f"engineer-{tag}@aftercare.example",
            name=script.engineer_name,
            password=PASSWORD,
            locale="en",
        )
        for title, body in script.articles:
            kb_services.create_article(
                author=engineer,
                title=title,
                body=body,
                language=script.article_language,
                status="published",
                visibility="public",
            )
        return customer.email, engineer.email, org.name

    people = journey.seed(make)
    # The live app runs with TESTING on, so no indexing thread wakes after the commit: drain the queue.
    assert journey.seed(indexing.drain) >= len(script.articles)
    return people


def status_badge(page, status: str, journey: Journey):
    """The ticket's status as its heading shows it."""
    return page.locator(f"[class*='status-{status}']", has_text=journey.t(STATUS_LABELS[status])).first


def asked_for(response, path_end: str, name: str, value: str) -> bool:
    """Whether `response` answers a request to a path ending in `path_end` with `name`=`value`."""
    url = urlsplit(response.url)
    return url.path.endswith(path_end) and parse_qs(url.query).get(name) == [value]


def file_ticket(journey: Journey, page, filing, *, first: bool) -> int:
    """File `filing` on the portal's form; the first one's pages are also shot at a phone's width."""
    page.goto("/portal/tickets/new")
    page.locator("#kind").select_option(filing.kind)
    # The form fits the request: the chosen kind's own fields show, the others' hide, without a reload.
    for name in DETAIL_INPUTS:
        expected = expect(page.locator(f"#{name}"))
        if name in DETAIL_FIELDS[filing.kind]:
            expected.to_be_visible()
        else:
            expected.to_be_hidden()

    page.locator("#body").fill(filing.body)
    for name, value in filing.details.items():
        page.locator(f"#{name}").fill(value)
    page.locator("#attachments").set_input_files(
        files=[{"name": filing.attachment, "mimeType": "text/plain", "buffer": filing.body.encode()}]
    )
    # Suggestions come while the customer types (htmx, debounced); wait for the one made for the whole
    # subject, so no request is still on its way when the form is sent.
    with page.expect_response(lambda response: asked_for(response, "/kb/suggest", "subject", filing.subject)):
        if first:
            page.locator("#subject").press_sequentially(filing.subject, delay=10)
        else:
            page.locator("#subject").fill(filing.subject)  # one input event: faster, the same request
    expect(page.get_by_test_id("kb-suggestions").get_by_role("link", name=filing.article)).to_be_visible()
    journey.look(page, f"portal-new-{filing.kind}", phone=first)
    page.locator("form:has(#subject) [type=submit]").click()

    expect(page.locator("h1")).to_contain_text(filing.subject)
    number = int(re.search(r"/portal/tickets/(\d+)$", page.url).group(1))
    expect(status_badge(page, "new", journey)).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(journey.t(KIND_LABELS[filing.kind]))
    for value in filing.details.values():
        expect(main).to_contain_text(value)
    expect(main.get_by_role("link", name=filing.attachment)).to_be_visible()
    state = journey.seed(lambda: ticket_state(number))
    assert state["status"] == "new" and state["kind"] == filing.kind
    assert state["details"] == filing.details
    assert state["messages"] == [(filing.body, False, [filing.attachment])]
    journey.look(page, f"portal-ticket-{filing.kind}", phone=first)
    return number


def work_until_pending(
    journey: Journey, desk, engineer_email: str, org_name: str, filing, number: int
) -> None:
    script = journey.script
    sign_in(desk, engineer_email)
    if script.locale != "en":
        # The engineer switches language in the header; the choice sticks to the account.
        desk.get_by_test_id("language-switch").click()
        expect(desk.locator("html")).to_have_attribute("lang", script.html_lang)
        assert journey.seed(lambda: locale_of(engineer_email)) == script.locale
    desk.goto("/queue")
    journey.look(desk, "queue")

    # Filters apply in place (htmx); the kind and the organisation leave only this customer's fault.
    reveal(desk, "#kind").select_option(filing.kind)
    reveal(desk, "#organisation").select_option(label=org_name)
    desk.locator("#q").fill(filing.search)
    desk.locator("#q").press("Enter")
    expect(desk).to_have_url(re.compile(r"[?&]q="))
    ticket_link = desk.get_by_role("link", name=filing.subject)
    expect(ticket_link).to_be_visible()
    for other in script.filings[1:]:
        expect(desk.get_by_role("link", name=other.subject)).to_have_count(0)
    journey.look(desk, "queue-filtered")

    desk.locator(f"form[action*='/tickets/{number}/claim'] [type=submit]").first.click()
    expect(desk.locator(f"form[action*='/tickets/{number}/claim']")).to_have_count(0)
    expect(desk.get_by_text(journey.t("#%(number)s is now assigned to you.", number=number))).to_be_visible()
    assert journey.seed(lambda: ticket_state(number))["assignee"] == engineer_email
    expect(ticket_link).to_be_visible()  # back on the filtered queue
    journey.look(desk, "queue-claimed")

    ticket_link.click()
    expect(desk.locator("h1")).to_contain_text(filing.subject)
    expect(desk.locator("main")).to_contain_text(script.engineer_name)
    desk.locator("#reply-body").fill(script.note)
    desk.locator("#reply-note").click()
    expect(desk.locator("[class*='internal']", has_text=script.note)).to_be_visible()
    desk.locator("#reply-body").fill(script.reply)
    desk.locator("#reply-status").select_option("pending")
    desk.locator("#reply-reply").click()
    expect(status_badge(desk, "pending", journey)).to_be_visible()
    expect(desk.locator("main")).to_contain_text(script.reply)
    state = journey.seed(lambda: ticket_state(number))
    assert state["status"] == "pending"
    assert state["messages"][1:] == [(script.note, True, []), (script.reply, False, [])]
    wait_for_knowledge_panel(desk)
    journey.look(desk, "queue-ticket-pending")


def answer_in_portal(journey: Journey, page, number: int) -> None:
    script = journey.script
    page.goto(f"/portal/tickets/{number}")
    expect(page.locator("main")).to_contain_text(script.reply)
    expect(status_badge(page, "pending", journey)).to_be_visible()
    # The internal note is not on the page at all, not merely hidden.
    assert script.note not in page.content()
    journey.look(page, "portal-ticket-pending", phone=True)

    page.locator("#body").fill(script.answer)
    page.locator("form:has(#body) [type=file]").set_input_files(
        files=[{"name": script.answer_attachment, "mimeType": "text/plain", "buffer": b"uptime: 3h\n"}]
    )
    page.locator("form:has(#body) [type=submit]").click()
    # A customer's reply takes the ticket out of "waiting on the customer".
    expect(status_badge(page, "open", journey)).to_be_visible()
    expect(page.locator("main")).to_contain_text(script.answer)
    expect(page.get_by_role("link", name=script.answer_attachment)).to_be_visible()
    assert script.note not in page.content()
    state = journey.seed(lambda: ticket_state(number))
    assert state["status"] == "open"
    assert state["messages"][-1] == (script.answer, False, [script.answer_attachment])
    journey.look(page, "portal-ticket-answered", phone=True)


def resolve_and_link(journey: Journey, desk, filing, number: int) -> None:
    script = journey.script
    desk.reload()
    expect(desk.locator("main")).to_contain_text(script.answer)
    expect(status_badge(desk, "open", journey)).to_be_visible()
    desk.locator("#props-status").select_option("resolved")
    desk.locator("#props-save").click()
    expect(status_badge(desk, "resolved", journey)).to_be_visible()
    assert journey.seed(lambda: ticket_state(number))["status"] == "resolved"

    # Linked after resolving, as engineers do once they know what solved it.
    panel = wait_for_knowledge_panel(desk)
    # The search logs what was looked for: let it finish before the link is written.
    with desk.expect_response(lambda response: asked_for(response, "/search", "q", filing.link_query)):
        panel.get_by_role("searchbox").press_sequentially(filing.link_query, delay=10)
    hit = panel.locator("li", has=desk.get_by_role("link", name=filing.article))
    hit.get_by_role("button", name=journey.t("Solved by this")).click()
    # The panel now lists the article as linked: it can be unlinked, and says how it relates.
    linked = panel.locator("li", has=desk.get_by_role("button", name=journey.t("Unlink"))).filter(
        has=desk.get_by_role("link", name=filing.article)
    )
    expect(linked).to_contain_text(journey.t("Solved by"))
    assert journey.seed(lambda: ticket_state(number))["links"] == [(filing.article, "solved_by")]
    desk.reload()
    expect(wait_for_knowledge_panel(desk).get_by_role("link", name=filing.article)).to_be_visible()
    # The history tells who linked what.
    linked_event = journey.t("Linked the article %(article)s as the solution", article=filing.article)
    expect(desk.locator("main")).to_contain_text(linked_event)
    journey.look(desk, "queue-ticket-resolved")


def reveal(page, selector: str):
    """The field `selector`, opening the folded section (a closed <details>) it may sit in."""
    target = page.locator(selector)
    if not target.is_visible():
        page.locator(f"details:has({selector}) > summary").click()
    expect(target).to_be_visible()
    return target


def wait_for_knowledge_panel(page):
    """The staff ticket page loads its knowledge panel after the page: wait until it is there."""
    panel = page.locator("#knowledge")
    expect(panel.get_by_role("searchbox")).to_be_visible()
    return panel
