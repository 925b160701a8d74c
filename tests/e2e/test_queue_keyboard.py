"""The queue from the keyboard, in a real browser: j/k select, Enter opens, c claims and r replies in
place without a page load, ? shows the help, and filters change the results and the address in place."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from core.extensions import db
from support.models import Message, Ticket
from tests.e2e.people import PASSWORD, sign_in
from tests.factories import make_engineer, make_org, make_ticket, make_user


def _desk(seed) -> dict:
    """An organisation of its own with three unassigned tickets (oldest first), and an engineer."""
    tag = uuid.uuid4().hex[:8]

    def make():
        org = make_org(f"Keys {tag}")
        customer = make_user(f"keys-{tag}@e2e.example", org=org, password=PASSWORD)
        engineer = make_engineer(email=f"keys-{tag}@aftercare.example", name=f"Kim {tag}", password=PASSWORD)
        start = datetime.now(UTC) - timedelta(hours=3)
        numbers = [
            make_ticket(customer, subject=f"Keys {tag} ticket {i}", now=start + timedelta(minutes=i)).number
            for i in range(3)
        ]
        return {"org": org.id, "engineer": engineer.email, "name": engineer.name, "numbers": numbers}

    return seed(make)


def _set_priority(number: int, priority: str) -> None:
    db.session.get(Ticket, number).priority = priority


def _open_queue(page, desk) -> None:
    sign_in(page, desk["engineer"])
    page.goto(f"/queue?organisation={desk['org']}&sort=oldest")
    expect(page.locator("#queue-results tr[data-ticket]")).to_have_count(3)
    # Set on this document only: still there afterwards means no page was loaded in between.
    page.evaluate("window.__samePage = true")


def _same_page(page) -> bool:
    return page.evaluate("window.__samePage === true")


def _selected(page):
    return page.locator('#queue-results tr[aria-current="true"]')


def test_j_and_k_move_a_visible_selection_and_enter_opens_the_ticket(page, seed):
    desk = _desk(seed)
    first, second, _third = desk["numbers"]
    _open_queue(page, desk)

    page.keyboard.press("j")
    expect(_selected(page)).to_have_attribute("data-ticket", str(first))
    page.keyboard.press("j")
    expect(_selected(page)).to_have_attribute("data-ticket", str(second))
    expect(page.locator('#queue-results tr[aria-current="true"]')).to_have_count(1)
    # The selection is the focused row and it shows: a solid ring, not just a colour change.
    assert page.evaluate("document.activeElement.dataset.ticket") == str(second)
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"
    page.keyboard.press("k")
    expect(_selected(page)).to_have_attribute("data-ticket", str(first))

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/queue/tickets/{first}$"))


def test_shortcuts_are_off_while_typing_and_question_mark_shows_the_help(page, seed):
    desk = _desk(seed)
    _open_queue(page, desk)
    page.locator("#q").focus()
    page.keyboard.type("jk")
    expect(_selected(page)).to_have_count(0)
    expect(page.locator("#q")).to_have_value("jk")
    page.locator("#q").fill("")
    page.locator("main h1").click()

    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Claim the selected ticket")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_c_claims_in_place_and_keeps_the_selection(page, seed):
    desk = _desk(seed)
    second = desk["numbers"][1]
    _open_queue(page, desk)
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("c")

    expect(page.locator("#flashes")).to_contain_text(f"#{second} is now assigned to you.")
    row = page.locator(f'#queue-results tr[data-ticket="{second}"]')
    expect(row).to_contain_text(desk["name"])
    expect(row).to_have_attribute("aria-current", "true")
    assert page.evaluate("document.activeElement.dataset.ticket") == str(second)
    assert _same_page(page), "claiming reloaded the page"
    assert seed(lambda: db.session.get(Ticket, second).assignee.email) == desk["engineer"]


def test_r_replies_under_the_row_without_leaving_the_queue(page, seed):
    desk = _desk(seed)
    first = desk["numbers"][0]
    _open_queue(page, desk)
    page.keyboard.press("j")
    page.keyboard.press("r")

    box = page.locator(f"#quick-reply-{first} textarea")
    expect(box).to_be_focused()
    # Typing j and k in the reply does not move the selection.
    page.keyboard.type("Just checking: the jumper is in slot k.")
    expect(_selected(page)).to_have_attribute("data-ticket", str(first))
    page.keyboard.press("Control+Enter")

    expect(page.locator("#flashes")).to_contain_text(f"Reply sent on #{first}.")
    expect(page.locator("tr.quick-reply-row")).to_have_count(0)
    expect(_selected(page)).to_have_attribute("data-ticket", str(first))
    assert _same_page(page), "replying reloaded the page"
    bodies = seed(lambda: [m.body for m in db.session.scalars(db.select(Message).filter_by(ticket_id=first))])
    assert "Just checking: the jumper is in slot k." in bodies

    # An empty reply is refused in place, and Escape puts the form away.
    page.keyboard.press("r")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".quick-reply .field-error")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("tr.quick-reply-row")).to_have_count(0)

    # Shift+R opens the ticket with the cursor in its reply box.
    page.keyboard.press("Shift+R")
    expect(page).to_have_url(re.compile(rf"/queue/tickets/{first}#reply$"))
    expect(page.locator("#reply-body")).to_be_focused()


def test_filters_change_results_and_address_in_place_and_back_works(page, seed):
    desk = _desk(seed)
    first, second, third = desk["numbers"]
    seed(lambda: _set_priority(first, "high"))
    _open_queue(page, desk)

    # The organisation is a secondary filter: in use, the secondary filters stay unfolded and say so.
    expect(page.locator(".more-filters")).to_have_attribute("open", "")
    expect(page.locator(".more-filters summary")).to_contain_text("(1)")
    page.select_option("#priority", "high")
    expect(page.locator("#queue-results tr[data-ticket]")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"priority=high"))
    assert _same_page(page), "the filter reloaded the page"

    page.fill("#q", str(third))
    expect(page.locator("#queue-results")).to_contain_text("No ticket matches these filters.")
    expect(page).to_have_url(re.compile(rf"q={third}"))

    page.go_back()
    expect(page).not_to_have_url(re.compile(rf"q={third}"))
    expect(page.locator("#queue-results tr[data-ticket]")).to_have_count(1)
    expect(page.locator("#priority")).to_have_value("high")
    assert second not in [
        int(n)
        for n in page.locator("#queue-results tr[data-ticket]").evaluate_all(
            "rows => rows.map(r => r.dataset.ticket)"
        )
    ]
