"""Switching language in the header changes the whole journey, and the choice sticks to the account."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import make_org, make_user


def test_switching_to_chinese_before_signing_in_carries_into_the_portal(page, seed):
    email = seed(
        lambda: (
            make_user("lang-switch@hengtai.example", org=make_org("恒泰 e2e"), password="correct horse").email
        )
    )
    page.goto("/login")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("登录")

    page.fill("#email", email)
    page.fill("#password", "correct horse")
    page.locator("main button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.goto("/portal/tickets/new")
    expect(page.locator("label[for=subject]")).to_contain_text("主题")
    expect(page.locator("main")).not_to_contain_text("Subject")

    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("label[for=subject]")).to_contain_text("Subject")
