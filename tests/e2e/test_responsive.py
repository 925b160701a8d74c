"""On a phone (375 px wide) every main page fits the screen: no sideways scrolling of the page, a menu
that folds behind one button, the queue as cards. And the colours we add are readable: badge and SLA
texts keep a contrast of at least 4.5:1, in Pico's light and dark themes."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.people import PASSWORD, new_page, sign_in
from tests.factories import make_engineer, make_org, make_ticket, make_user

PHONE = {"width": 375, "height": 740}


def _people(seed) -> dict:
    tag = uuid.uuid4().hex[:8]

    def make():
        org = make_org(f"Phone {tag}")
        customer = make_user(f"phone-{tag}@e2e.example", org=org, password=PASSWORD)
        engineer = make_engineer(email=f"phone-{tag}@aftercare.example", password=PASSWORD)
        ticket = make_ticket(
            customer,
            subject="A rather long subject that has to wrap on a narrow phone screen without pushing it wider",
            body="https://example.com/a/very/long/address/that/must/wrap/rather/than/widen/the/page/at/all",
            priority="urgent",
            product="EdgeLink IG-500",
        )
        return {
            "org": org.id,
            "customer": customer.email,
            "engineer": engineer.email,
            "ticket": ticket.number,
        }

    return seed(make)


def _overflow(page) -> int:
    """How many pixels the page is wider than the screen (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_on_a_phone_the_menu_folds_and_the_queue_is_usable(browser, live_server, seed):
    people = _people(seed)
    page = new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, people["engineer"])
    page.goto(f"/queue?organisation={people['org']}")

    toggle = page.get_by_role("button", name="Menu")
    menu_link = page.locator("#site-menu").get_by_role("link", name="Knowledge base")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu_link).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu_link).to_be_visible()
    toggle.click()
    expect(menu_link).to_be_hidden()

    # The queue: one card per ticket, its subject, SLA and claim button on screen, nothing sideways.
    row = page.locator(f'#queue-results tr[data-ticket="{people["ticket"]}"]')
    expect(page.locator("table.tickets thead")).to_be_hidden()
    expect(row.get_by_role("link", name="A rather long subject")).to_be_visible()
    claim = row.get_by_role("button", name="Claim")
    claim.scroll_into_view_if_needed()
    expect(claim).to_be_in_viewport()
    for box in (row.bounding_box(), claim.bounding_box()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert _overflow(page) == 0
    claim.click()
    expect(page.locator("#flashes")).to_contain_text("is now assigned to you")

    for path in (f"/queue/tickets/{people['ticket']}", "/kb", "/reviews", "/reports"):
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        assert _overflow(page) == 0, path
    page.context.close()


def test_on_a_phone_the_customer_pages_fit(browser, live_server, seed):
    people = _people(seed)
    page = new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, people["customer"])
    for path in ("/portal", "/portal/tickets/new", f"/portal/tickets/{people['ticket']}", "/kb"):
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        assert _overflow(page) == 0, path
    # The form fits: every field as wide as the screen allows, the send button reachable.
    page.goto("/portal/tickets/new")
    for field in ("#kind", "#subject", "#body", "#priority"):
        box = page.locator(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], field
    page.context.close()


def test_on_a_desktop_the_menu_is_open_and_there_is_no_menu_button(page, seed):
    people = _people(seed)
    sign_in(page, people["engineer"])
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator("#site-menu").get_by_role("link", name="Reports")).to_be_visible()
    # The skip link is the first thing the keyboard reaches, and it leads to the page's main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


_CONTRASTS_JS = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  // The first opaque background at or behind the element (a badge's own, else the page's).
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0.5) return c.slice(0, 3);
    }
    return rgb(getComputedStyle(document.body).backgroundColor).slice(0, 3);
  };
  return Array.from(document.querySelectorAll(".badge, .sla, .flash, mark, .hint, .field-error")).map((el) => {
    const [a, b] = [luminance(rgb(getComputedStyle(el).color)), luminance(background(el))];
    return [el.className || el.tagName, el.textContent.trim().slice(0, 30), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_badges_and_sla_texts_are_readable_in_both_themes(browser, live_server, seed, scheme):
    people = _people(seed)

    def every_status():
        from core.extensions import db
        from support.models import Ticket

        customer = db.session.get(Ticket, people["ticket"]).requester
        for status, priority in (
            ("open", "high"),
            ("pending", "low"),
            ("on_hold", "normal"),
            ("resolved", "low"),
        ):
            ticket = make_ticket(customer, priority=priority)
            ticket.status = status

    seed(every_status)
    page = new_page(browser, live_server, color_scheme=scheme)
    sign_in(page, people["engineer"])
    page.goto(f"/queue?organisation={people['org']}&status=all")
    found = page.evaluate(_CONTRASTS_JS)
    kinds = {name.split()[-1] for name, _text, _ratio in found}
    assert {"status-new", "status-open", "status-pending", "priority-urgent", "priority-low"} <= kinds
    poor = [(name, text, round(ratio, 2)) for name, text, ratio in found if ratio < 4.5]
    assert not poor, poor
    page.context.close()
