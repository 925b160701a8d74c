"""The service level on the staff ticket page, in a real browser: running clocks, a pause while the
ticket waits on the customer, and the page that explains the due times."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.people import customer_and_engineer, new_page, sign_in


def test_engineer_sees_the_clocks_pause_when_waiting_on_the_customer_and_why(browser, live_server, seed):
    customer_email, engineer_email = customer_and_engineer(seed)

    def file_ticket():
        from core.extensions import db
        from core.models import User
        from tests.factories import make_ticket

        requester = db.session.scalar(db.select(User).where(User.email == customer_email))
        # Urgent tickets fall under the default "Urgent incidents" policy, counted around the clock:
        # the clocks run whatever the hour this test runs at.
        return make_ticket(requester, subject="PLC 网关掉线 gateway offline", priority="urgent").number

    number = seed(file_ticket)
    page = new_page(browser, live_server)
    sign_in(page, engineer_email, f"/queue/tickets/{number}")
    panel = page.get_by_test_id("sla-panel")
    first_response = panel.locator(".sla-target[data-target=first_response]")
    resolution = panel.locator(".sla-target[data-target=resolution]")
    expect(panel).to_contain_text("Urgent incidents")
    for clock in (first_response, resolution):
        expect(clock).to_have_attribute("data-phase", "running")
        expect(clock).to_contain_text("Running")
        expect(clock).to_contain_text("Due")
    expect(first_response).to_contain_text("left")

    page.fill("#reply-body", "Please power-cycle the gateway and tell us whether it comes back.")
    page.select_option("#reply-status", "pending")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".badge.status-pending").first).to_be_visible()
    # The reply answered the customer in time; the resolution clock now waits for them.
    expect(first_response).to_have_attribute("data-phase", "completed")
    expect(first_response).to_have_attribute("data-outcome", "met")
    expect(resolution).to_have_attribute("data-phase", "paused")
    expect(resolution).to_contain_text("Paused: waiting on the customer")
    expect(resolution).not_to_contain_text("Due")

    page.get_by_role("link", name="Explain these times").click()
    expect(page.locator("h1")).to_contain_text(f"How the due times of #{number} come about")
    explained = page.locator("section.sla-explain[data-target=resolution]")
    expect(explained).to_contain_text("Target: 8h 00m of business time")
    segments = explained.locator("table").first.locator("tbody tr")
    # New, then open (the reply) while the clock ran; pending, still going, while it is paused.
    expect(segments).to_have_count(3)
    for running in (segments.nth(0), segments.nth(1)):
        expect(running).to_have_attribute("data-running", "yes")
        expect(running).to_contain_text("runs")
    expect(segments.nth(0)).to_contain_text("New")
    expect(segments.nth(2)).to_have_attribute("data-running", "no")
    expect(segments.nth(2)).to_contain_text("Waiting on customer")
    expect(segments.nth(2)).to_contain_text("paused")
    expect(segments.nth(2)).to_contain_text("now")
    expect(explained).to_contain_text("While paused there is no due time")
    page.context.close()
