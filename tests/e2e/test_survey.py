"""The satisfaction survey in a real browser: the link from the mail works without signing in, takes one
answer, and says so when it is opened again."""

from __future__ import annotations

import email
import re
from email import policy

from playwright.sync_api import expect

from tests.e2e.people import customer_and_engineer, new_page


def test_customer_answers_the_survey_from_the_mailed_link_once(browser, live_server, seed):
    customer_email, engineer_email = customer_and_engineer(seed)

    def resolve_a_ticket():
        from core.extensions import db
        from core.models import User
        from support import services
        from tests.factories import make_ticket

        def user(address):
            return db.session.scalar(db.select(User).where(User.email == address))

        ticket = make_ticket(user(customer_email), subject="Modbus 采集中断 after the firmware update")
        engineer = user(engineer_email)
        services.add_message(ticket, author=engineer, body="Fixed by the 3.1.5 patch.")
        services.change_status(ticket, "resolved", actor=engineer)
        return ticket.id

    ticket_id = seed(resolve_a_ticket)

    def survey_mail() -> bytes:
        from core.extensions import db
        from core.mail_models import OutboundMail

        rows = db.session.scalars(
            db.select(OutboundMail).where(
                OutboundMail.recipient == customer_email, OutboundMail.category == "survey"
            )
        ).all()
        assert len(rows) == 1, "resolving the ticket queues exactly one survey mail"
        return rows[0].raw

    # The link as the customer gets it: from the mail waiting in the live app's outbox.
    text = email.message_from_bytes(seed(survey_mail), policy=policy.default).get_body().get_content()
    links = set(re.findall(r"https?://\S+?(/survey/[\w-]+)\?score=\d", text))
    assert len(links) == 1
    path = links.pop()

    page = new_page(browser, live_server)
    response = page.goto(path)
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("How did we do?")
    expect(page.locator("main")).to_contain_text("Modbus 采集中断 after the firmware update")
    expect(page.locator("a[href^='/logout'], form[action$='/logout']")).to_have_count(0)  # nobody signed in

    # Sending without a score is refused and keeps the comment.
    page.fill("#comment", "快速解决了，谢谢 — quick fix, thanks.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("main [role=alert]")).to_contain_text("Choose a score from 1 to 5.")
    expect(page.locator("#comment")).to_have_value("快速解决了，谢谢 — quick fix, thanks.")

    page.get_by_label("4 · Satisfied").check()
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/survey/thanks$"))
    expect(page.locator("h1")).to_have_text("Thank you!")

    def stored():
        from core.extensions import db
        from reviews.models import Survey

        survey = db.session.scalar(db.select(Survey).where(Survey.ticket_id == ticket_id))
        return survey.score, survey.comment, survey.channel

    assert seed(stored) == (4, "快速解决了，谢谢 — quick fix, thanks.", "link")

    again = page.goto(path)
    assert again.status == 409
    expect(page.locator("main [role=alert]")).to_contain_text("This survey was answered already.")
    expect(page.locator("input[name=score]")).to_have_count(0)
    page.context.close()
