"""Two engineers change the same ticket at once, in a real browser: the second is told and keeps what
they typed."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.people import PASSWORD, customer_and_engineer, new_page, sign_in
from tests.factories import make_engineer


def test_second_engineer_is_told_about_a_conflicting_change_and_keeps_their_input(browser, live_server, seed):
    customer_email, first_email = customer_and_engineer(seed)
    second_email = seed(lambda: make_engineer(password=PASSWORD).email)

    def file_ticket():
        from core.extensions import db
        from core.models import User
        from tests.factories import make_ticket

        requester = db.session.scalar(db.select(User).where(User.email == customer_email))
        return make_ticket(requester, subject="Certificate expires Friday").number

    number = seed(file_ticket)
    pages = []
    for email in (first_email, second_email):
        tab = new_page(browser, live_server)
        sign_in(tab, email, f"/queue/tickets/{number}")
        expect(tab.locator("h1")).to_contain_text("Certificate expires")
        pages.append(tab)
    first, second = pages
    first.select_option("#props-priority", "urgent")
    first.locator("#props-save").click()
    expect(first.locator("#props-priority")).to_have_value("urgent")

    second.select_option("#props-priority", "low")
    second.fill("#props-product", "Gateway GX-200")
    second.locator("#props-save").click()
    expect(second.get_by_test_id("conflict")).to_be_visible()
    expect(second.locator("#props-product")).to_have_value("Gateway GX-200")
    expect(second.locator("#props-priority")).to_have_value("low")
    first.reload()
    expect(first.locator("#props-priority")).to_have_value("urgent")
    for tab in pages:
        tab.context.close()
