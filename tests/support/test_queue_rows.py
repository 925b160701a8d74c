"""The queue's rows as support/views/queue_rows.py makes them: SLA words in the viewer's language,
links that keep the queue's filters, no claim button on one's own tickets."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from core.extensions import db
from sla.labels import BadgeWords
from sla.queries import Badge
from support.views.queue_rows import _numbered, attention_counts, queue_rows
from tests.factories import make_engineer, make_ticket, make_user

DUE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai, the default zone


@pytest.mark.parametrize(
    ("badge", "kind", "text", "title"),
    [
        (
            Badge("overdue", "first_response", DUE, -timedelta(hours=3, minutes=5)),
            "overdue",
            "Overdue 3h 05m",
            "First response due 2026-11-24 17:00 +0800",
        ),
        (
            Badge("warning", "resolution", DUE, timedelta(minutes=40)),
            "warning",
            "40m left",
            "Resolution due 2026-11-24 17:00 +0800",
        ),
        (
            Badge("paused", "resolution", None, timedelta(hours=16)),
            "paused",
            "Paused, 16h 00m left",
            "Resolution",
        ),
        (Badge("met", "resolution", None, None), "met", "Met", "Resolution"),
        (Badge("breached", "resolution", None, None), "breached", "Breached", "Resolution"),
        (None, "none", "—", "No SLA target applies"),
    ],
)
def test_badge_words_in_english(app, badge, kind, text, title):
    with app.test_request_context():
        words = BadgeWords()(badge)
    assert (words.kind, words.text, words.title) == (kind, text, title)


def test_badge_words_in_chinese(app):
    with app.test_request_context(), force_locale("zh_Hans"):
        words = BadgeWords()
        overdue = words(Badge("overdue", "first_response", DUE, -timedelta(hours=3, minutes=5)))
        running = words(Badge("running", "resolution", DUE, timedelta(hours=39, minutes=53)))
    assert overdue.text == "已超时 3小时05分" and overdue.target == "首次响应" and overdue.icon == "⚠"
    assert running.text == "剩余 39小时53分" and running.title.startswith("问题解决到期时间：")


def test_rows_carry_translated_labels_links_with_the_filters_and_claims_for_others_only(app):
    me, other = make_engineer(name="Me"), make_engineer(name="Other")
    customer = make_user("ann@rows.example")
    mine = make_ticket(customer, subject="Mine", priority="urgent")
    mine.assignee = me
    theirs = make_ticket(customer, subject="Theirs", kind="maintenance")
    theirs.assignee = other
    free = make_ticket(customer, subject="Free")
    db.session.commit()
    page_args = {"status": ["open", "new"], "q": ["printer 9876543210"]}
    with app.test_request_context(), force_locale("zh_Hans"):
        rows = queue_rows(
            [mine, theirs, free],
            badges={},
            attention={theirs.number: "replied"},
            page_args=page_args,
            viewer_id=me.id,
        )
    assert [r.ticket for r in rows] == [mine, theirs, free]
    assert rows[0].url == f"/queue/tickets/{mine.number}"
    assert rows[0].claim_url is None  # already mine
    assert rows[1].claim_url == (
        f"/queue/tickets/{theirs.number}/claim?status=open&status=new&q=printer+9876543210"
    )
    assert rows[2].quick_reply_url.startswith(f"/queue/tickets/{free.number}/quick-reply?")
    assert rows[0].priority == "紧急" and rows[1].kind == "维护请求" and rows[2].status == "新建"
    assert rows[1].select_label == f"选择 #{theirs.number}"
    assert rows[0].sla.kind == "none" and rows[0].updated_relative == "刚刚"
    counts = attention_counts(rows)
    assert counts["replied"] == 1 and counts["overdue"] == 0 and counts["unassigned"] == 1


def test_a_numbered_link_is_url_for_with_the_number_put_in(app):
    with app.test_request_context():
        from flask import url_for

        build = _numbered("queue.claim", sort=["oldest"], q=["9876543210"])
        for number in (1, 42, 9876543210, 123456789012):
            assert build(str(number)) == url_for(
                "queue.claim", number=number, sort=["oldest"], q=["9876543210"]
            )


def test_the_queue_page_shows_each_badge_with_its_words(app, login):
    engineer = make_engineer(name="Erin")
    customer = make_user("bob@rows.example")
    late = make_ticket(
        customer, subject="Late one", priority="urgent", now=datetime.now(UTC) - timedelta(days=9)
    )
    db.session.commit()
    page = html.unescape(login(engineer).get("/queue").get_data(as_text=True))
    cell = re.search(rf'data-ticket="{late.number}".*?<td data-label="SLA due">(.*?)</td>', page, re.S).group(
        1
    )
    assert 'data-sla="overdue"' in cell and "⚠" in cell and "Overdue " in cell
    assert re.search(r'title="First response due \d{4}-\d\d-\d\d \d\d:\d\d', cell)
    assert "<small>First response</small>" in cell
