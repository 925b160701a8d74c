"""Knowledge in a real browser: an engineer publishes an article, a customer filing a ticket is offered
it while typing, and anyone finds it on /kb."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from kb import indexing
from kb import services as kb_services
from tests.e2e.people import customer_and_engineer, new_page, sign_in

TITLE = "iOS App 收不到推送：APNs 证书已过期"
BODY = (
    "苹果推送服务（APNs）的证书有效期为一年，到期后 iOS 设备收不到任何推送通知。\n\n"
    "1. 在苹果开发者后台重新生成推送证书。\n2. 导出为 `.p12` 文件。\n3. 在“设置 > 推送”上传并保存。"
)
INTERNAL_TITLE = "APNs 证书过期的内部排查记录"


def test_a_published_article_is_suggested_while_a_customer_types_and_found_on_kb(browser, live_server, seed):
    customer_email, engineer_email = customer_and_engineer(seed)

    def internal_note():
        # Same words, staff only: it must never be offered to the customer.
        from core.extensions import db
        from core.models import User

        engineer = db.session.scalar(db.select(User).where(User.email == engineer_email))
        kb_services.create_article(
            author=engineer,
            title=INTERNAL_TITLE,
            body="APNs 证书过期时先查通知渠道的错误日志，再联系客户的 iOS 开发者。",
            language="zh",
            status="published",
            visibility="internal",
        )

    seed(internal_note)

    editor = new_page(browser, live_server)
    sign_in(editor, engineer_email, "/kb/articles/new")
    expect(editor.locator("#title")).to_be_visible()
    editor.fill("#title", TITLE)
    editor.fill("#body", BODY)
    editor.select_option("#language", "zh")
    editor.select_option("#status", "published")
    editor.select_option("#visibility", "public")
    editor.fill("#product", "EdgeLink Manager")
    editor.fill("#tags", "APNs, iOS, 证书")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("h1")).to_have_text(TITLE)
    article_path = re.sub(r"^https?://[^/]+", "", editor.url)
    editor.context.close()

    # The live app runs with TESTING on, so no indexing thread wakes after the commit: do what the
    # `kb.index_pending` job would. Both articles were queued by their saves.
    assert seed(indexing.drain) >= 2

    page = new_page(browser, live_server)
    sign_in(page, customer_email, "/portal/tickets/new")
    suggest_calls = []
    page.on("request", lambda request: "/kb/suggest" in request.url and suggest_calls.append(request.url))
    suggestions = page.get_by_test_id("kb-suggestions")

    subject = "苹果手机收不到推送通知"
    page.locator("#subject").press_sequentially(subject, delay=40)
    expect(suggestions.get_by_role("link", name=TITLE)).to_be_visible()
    # Debounced: one search for the whole subject, not one per keystroke; nothing was submitted.
    assert 1 <= len(suggest_calls) < len(subject)
    expect(page).to_have_url(re.compile(r"/portal/tickets/new$"))
    expect(suggestions).not_to_contain_text(INTERNAL_TITLE)

    # Mixed Chinese and English: the index splits "证书过期" into words, which a plain text match would miss.
    page.locator("#subject").fill("")
    expect(suggestions).to_have_count(0)  # the old suggestions go, so the next ones are for the new text
    page.locator("#subject").press_sequentially("APNs 证书过期", delay=40)
    expect(suggestions.get_by_role("link", name=TITLE)).to_be_visible()
    expect(suggestions).not_to_contain_text(INTERNAL_TITLE)

    # A suggestion opens in a new tab, so the form keeps what the customer typed.
    with page.context.expect_page() as opened:
        suggestions.get_by_role("link", name=TITLE).click()
    article = opened.value
    expect(article.locator("h1")).to_have_text(TITLE)
    expect(article.locator("main")).to_contain_text("导出为")
    expect(article).to_have_url(re.compile(re.escape(article_path) + "$"))
    expect(page.locator("#subject")).to_have_value("APNs 证书过期")
    page.context.close()

    # Without signing in: the public search finds it, ranked by the index rather than the fallback.
    visitor = new_page(browser, live_server)
    visitor.goto("/kb")
    visitor.fill("#q", "iOS 推送证书过期")
    visitor.keyboard.press("Enter")
    results = visitor.locator("#kb-results")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results).not_to_contain_text(INTERNAL_TITLE)
    expect(results.locator(".flash-warning")).to_have_count(0)
    results.get_by_role("link", name=TITLE).click()
    expect(visitor.locator("h1")).to_have_text(TITLE)
    visitor.context.close()
