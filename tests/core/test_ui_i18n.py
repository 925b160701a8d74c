"""Every page of the main journeys speaks the viewer's language only: a Chinese viewer finds no English
word of the interface (names, subjects and typed text aside), an English viewer no Chinese."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.extensions import db
from kb import services as kb_services
from reviews import services as review_services
from sla.models import SlaPolicy
from support import services
from tests.core.ui_text import foreign_words
from tests.factories import make_engineer, make_org, make_ticket, make_user

NOW = datetime.now(UTC).replace(microsecond=0)

WORDS = {
    "zh_Hans": {
        "org": "恒泰智能",
        "customer": "张敏",
        "engineer": "李伟",
        "subject": "网关每小时离线一次",
        "body": "网关从昨晚开始每小时断开一次。",
        "reply": "请发送网关日志。",
        "note": "可能是看门狗问题。",
        "product": "边缘网关",
        "component": "网络",
        "steps": "上电，等待一小时",
        "question": "如何导出事件日志",
        "article": "网关离线的排查步骤",
        "article_body": "检查防火墙是否放行端口。",
        "action": "升级所有网关固件",
    },
    "en": {
        "org": "Northwind",
        "customer": "Tom Baker",
        "engineer": "Lisa Wong",
        "subject": "Gateway drops offline every hour",
        "body": "Since last night the gateway drops off the network every hour.",
        "reply": "Please send us the gateway log.",
        "note": "Looks like the watchdog bug.",
        "product": "EdgeGateway",
        "component": "Network",
        "steps": "Power on, wait an hour",
        "question": "How do I export the event log",
        "article": "Troubleshooting an offline gateway",
        "article_body": "Check that the firewall lets the port through.",
        "action": "Upgrade every gateway",
    },
}


def _world(locale: str) -> dict:
    w = WORDS[locale]
    org = make_org(w["org"])
    customer = make_user(f"customer-{locale}@example.com", org=org, name=w["customer"], locale=locale)
    engineer = make_engineer(email=f"engineer-{locale}@example.com", name=w["engineer"], locale=locale)
    fault = make_ticket(
        customer,
        subject=w["subject"],
        body=w["body"],
        priority="high",
        product=w["product"],
        component=w["component"],
        details={"steps": w["steps"]},
        now=NOW - timedelta(hours=5),
    )
    make_ticket(
        customer, subject=w["question"], body=w["body"], kind="question", now=NOW - timedelta(hours=4)
    )
    services.update_ticket(
        fault, actor=engineer, assignee=engineer, status="open", now=NOW - timedelta(hours=3)
    )
    services.add_message(fault, author=engineer, body=w["reply"], now=NOW - timedelta(hours=2))
    services.add_message(fault, author=engineer, body=w["note"], internal=True, now=NOW - timedelta(hours=2))
    services.add_message(fault, author=customer, body=w["body"], now=NOW - timedelta(hours=1))
    article = kb_services.create_article(
        author=engineer,
        title=w["article"],
        body=w["article_body"],
        language="zh" if locale == "zh_Hans" else "en",
        status="published",
        product=w["product"],
    )
    review = review_services.create_review(period_start=NOW - timedelta(days=7), period_end=NOW)
    review_services.add_action(review, title=w["action"], owner=engineer, due_on=date.today())
    db.session.commit()
    # What admins named (SLA policies) is content too, as are the placeholder's example search words.
    policies = list(db.session.scalars(db.select(SlaPolicy.name)))
    content = [*w.values(), *policies, f"#{fault.number}", article.slug, "APNs"]
    return {
        "customer": customer,
        "engineer": engineer,
        "fault": fault,
        "article": article,
        "content": content,
    }


CUSTOMER_PAGES = [
    "/portal",
    "/portal?status=done",
    "/portal/tickets/new",
    "/portal/tickets/{fault}",
    "/kb",
    "/kb/{article}",
]
STAFF_PAGES = [
    "/queue",
    "/queue?kind=maintenance",
    "/queue/tickets/{fault}",
    "/kb",
    "/kb/{article}",
    "/reports",
    "/reviews",
    "/reviews/{review}",
    "/reviews/recurring",
    "/reviews/problems",
]


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_the_journeys_pages_speak_one_language(client, login, locale):
    world = _world(locale)
    values = {"fault": world["fault"].number, "article": world["article"].id}
    from reviews.models import Review

    values["review"] = db.session.scalar(db.select(Review.id).order_by(Review.id.desc()).limit(1))
    problems = {}
    for who, pages in (("customer", CUSTOMER_PAGES), ("engineer", STAFF_PAGES)):
        login(world[who])
        for path in pages:
            response = client.get(path.format(**values))
            assert response.status_code == 200, path
            html = response.get_data(as_text=True)
            assert f'lang="{"zh-Hans" if locale == "zh_Hans" else "en"}"' in html
            found = foreign_words(html, locale, world["content"])
            if found:
                problems[f"{who} {path}"] = found
    assert not problems, "\n".join(f"{page}: {words}" for page, words in problems.items())
