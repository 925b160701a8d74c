"""Shared steps of the browser tests: people with unique addresses, signing in, a second browser."""

from __future__ import annotations

import uuid

from tests.factories import make_engineer, make_org, make_user

PASSWORD = "correct horse"


def customer_and_engineer(seed, *, tier: str = "standard") -> tuple[str, str]:
    """A customer of a new organisation and an engineer, both unique to the calling test."""
    tag = uuid.uuid4().hex[:8]

    def make():
        org = make_org(f"E2E {tag}", tier=tier)
        customer = make_user(f"customer-{tag}@e2e.example", org=org, password=PASSWORD)
        engineer = make_engineer(email=f"engineer-{tag}@aftercare.example", password=PASSWORD)
        return customer.email, engineer.email

    return seed(make)


def sign_in(page, email: str, next_path: str | None = None) -> None:
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def new_page(browser, live_server, **options):
    """A page in a browser context of its own: another person, with other cookies."""
    options = {"locale": "en-US", "timezone_id": "Asia/Shanghai", **options}
    context = browser.new_context(base_url=live_server, **options)
    context.set_default_timeout(10_000)
    return context.new_page()
