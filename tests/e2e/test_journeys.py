"""The main journeys, in a real browser: a customer files and follows a ticket, an engineer works it."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import expect

from tests.factories import make_engineer, make_org, make_user

PASSWORD = "correct horse"
_seq = itertools.count(1)


def sign_in(page, email: str, next_path: str | None = None) -> None:
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server, **options)
    context.set_default_timeout(10_000)
    return context.new_page()


def people(seed):
    n = next(_seq)

    def make():
        org = make_org(f"Hengtai {n}", tier="premium")
        customer = make_user(f"customer{n}@hengtai.example", org=org, password=PASSWORD)
        engineer = make_engineer(email=f"engineer{n}@aftercare.example", password=PASSWORD)
        return customer.email, engineer.email

    return seed(make)


def test_customer_files_a_fault_and_the_engineer_answers_it(browser, live_server, seed):
    customer_email, engineer_email = people(seed)
    page = new_page(browser, live_server, locale="en-US", timezone_id="Asia/Shanghai")
    sign_in(page, customer_email)
    expect(page).to_have_url(re.compile(r"/portal$"))

    page.goto("/portal/tickets/new")
    page.select_option("#kind", "upgrade")
    # The form fits the request: upgrade fields show, fault fields hide, without a reload.
    expect(page.locator("#current_version")).to_be_visible()
    expect(page.locator("#steps")).to_be_hidden()
    page.select_option("#kind", "incident")
    expect(page.locator("#steps")).to_be_visible()
    expect(page.locator("#current_version")).to_be_hidden()

    page.fill("#subject", "网关离线 gateway offline after firmware 3.1")
    page.fill("#body", "Since last night the gateway drops off the network every hour.")
    page.fill("#steps", "1. Power on\n2. Wait an hour")
    page.select_option("#priority", "high")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1")).to_contain_text("网关离线 gateway offline")
    ticket_url = page.url
    number = ticket_url.rstrip("/").rsplit("/", 1)[-1]

    desk = new_page(browser, live_server, locale="en-US", timezone_id="Europe/Berlin")
    sign_in(desk, engineer_email)
    expect(desk).to_have_url(re.compile(r"/queue"))
    desk.fill("input[name=q]", number)
    desk.keyboard.press("Enter")
    desk.click(f"a[href='/queue/tickets/{number}']")
    expect(desk.locator("h1")).to_contain_text("gateway offline")
    desk.fill("#reply-body", "Please send us the gateway log.")
    desk.select_option("#reply-status", "pending")
    desk.get_by_role("button", name="Send reply").click()
    desk.fill("#reply-body", "Looks like the watchdog bug from 3.1.")
    desk.get_by_role("button", name="Add internal note").click()
    expect(desk.locator(".message.internal")).to_contain_text("watchdog")

    page.goto(ticket_url)
    expect(page.locator("main")).to_contain_text("Please send us the gateway log.")
    expect(page.locator("main")).not_to_contain_text("watchdog")
    page.fill("#body", "Log attached, still failing.")
    page.get_by_role("button", name="Send reply").click()
    # A customer's reply takes the ticket out of "waiting on customer".
    expect(page.locator(".badge.status-open").first).to_be_visible()

    desk.reload()
    expect(desk.locator("main")).to_contain_text("Log attached, still failing.")
    page.context.close()
    desk.context.close()


def test_second_engineer_is_told_about_a_conflicting_change_and_keeps_their_input(browser, live_server, seed):
    customer_email, first_email = people(seed)
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
    first.get_by_role("button", name="Save changes").click()
    expect(first.locator("#props-priority")).to_have_value("urgent")

    second.select_option("#props-priority", "low")
    second.fill("#props-product", "Gateway GX-200")
    second.get_by_role("button", name="Save changes").click()
    expect(second.locator("[data-testid=conflict]")).to_be_visible()
    expect(second.locator("#props-product")).to_have_value("Gateway GX-200")
    expect(second.locator("#props-priority")).to_have_value("low")
    first.reload()
    expect(first.locator("#props-priority")).to_have_value("urgent")
