"""No list page runs a query per row: the statements of each page are counted with a few rows and with
ten times as many, and must not grow. Also: the queue never counts the whole ticket table.

The desk grows by the same step for every list at once (tickets with their people and organisations,
a thread, articles, problems, reviews with action items, glossary concepts, teams, invitations, SLA
policies and calendars, mail in and out, searches), each row with its own related rows, so a relation
loaded lazily per row shows up as a count that grows.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from core import services as accounts
from core.db import utcnow
from core.extensions import db
from core.mail import queue_mail
from core.models import User
from kb import services as kb_services
from kb.models import SearchLog
from reviews import glossary, surveys
from reviews import services as review_services
from sla.models import Calendar, SlaPolicy
from support import links, services
from support.attachments import Upload
from support.mail.ingest import ingest
from support.mail.models import InboundMail
from support.models import Ticket
from tests.factories import make_admin, make_engineer, make_org, make_user
from tests.support.mail.letters import letter

FEW, MANY = 3, 30
_serial = itertools.count(1)

# (who asks, what); "api:" paths go to /api/v1 with that person's token; {thread} is the growing ticket.
PAGES = [
    ("engineer", "/queue"),
    ("engineer", "/queue?status=all&sort=updated"),
    ("engineer", "/queue/tickets/{thread}"),
    ("customer", "/portal"),
    ("customer", "/portal?scope=org&status=all"),
    ("customer", "/portal/tickets/{thread}"),
    ("customer", "/kb"),
    ("engineer", "/kb/manage"),
    ("engineer", "/kb/reports"),
    ("engineer", "/reports"),
    ("engineer", "/reviews"),
    ("engineer", "/reviews/problems"),
    ("engineer", "/reviews/recurring"),
    ("engineer", "/reviews/glossary"),
    ("admin", "/admin/users"),
    ("admin", "/admin/organisations"),
    ("admin", "/admin/invitations"),
    ("admin", "/admin/teams"),
    ("admin", "/admin/sla/policies"),
    ("admin", "/admin/sla/calendars"),
    ("admin", "/admin/mail"),
    ("admin", "/admin/mail/outbox"),
    ("admin", "/admin/mail/quarantine"),
    ("engineer", "api:/tickets"),
    ("customer", "api:/tickets"),
    ("engineer", "api:/tickets/{thread}/messages"),
    ("engineer", "api:/tickets/{thread}/history"),
    ("engineer", "api:/kb/articles"),
]


@pytest.fixture
def desk():
    org = make_org("Counting Ltd", domains="counting.example")
    people = {
        "customer": make_user("viewer@counting.example", org=org),
        "engineer": make_engineer(),
        "admin": make_admin(),
    }
    thread = services.open_ticket(
        requester=people["customer"], subject="The thread that grows", body="First.", kind="incident"
    )
    db.session.flush()
    return {"org": org, "people": people, "thread": thread.id}


def grow(desk: dict, count: int) -> None:
    """`count` more rows in every list, each with its own people, organisation and links."""
    now = utcnow()
    org = desk["org"]
    viewer = db.session.get(User, desk["people"]["customer"].id)
    thread = db.session.get(Ticket, desk["thread"])
    for _ in range(count):
        n = next(_serial)
        engineer = make_engineer()
        colleague = make_user(f"colleague{n}@counting.example", org=org)
        other = make_user(org=make_org())
        for requester in (colleague, other, viewer):
            ticket = services.open_ticket(
                requester=requester, subject=f"Printer {n} is offline", body="It is.", kind="incident"
            )
            services.assign(ticket, engineer, actor=engineer)
        services.add_message(thread, author=colleague, body=f"Still broken {n}", attachments=_file(n))
        services.add_message(thread, author=engineer, body=f"Looking {n}", internal=n % 2 == 0)
        article = kb_services.create_article(
            author=engineer,
            title=f"Printer fix {n}",
            body="Restart it.",
            status="published",
            category=f"Cat {n}",
        )
        links.link_article(ticket, article, relation="related", actor=engineer)
        problem = review_services.confirm_cluster(
            title=f"Printers offline {n}", numbers=[ticket.id], signature={}, actor=engineer
        )
        start = now - timedelta(days=7 * (n + 1))
        review = review_services.create_review(
            period_start=start, period_end=start + timedelta(days=7), now=now
        )
        review_services.add_action(review, title=f"Fix {n}", owner=engineer, due_on=None, problem=problem)
        glossary.save_concept(
            None,
            code=f"CODE_{n}",
            kind="symptom",
            label_en=f"Thing {n}",
            label_zh=f"东西{n}",
            terms_en=f"thing{n}",
            terms_zh=f"东西{n}",
        )
        accounts.create_team(f"Team {n}", members=[engineer])
        accounts.create_invitation(
            f"invitee{n}@counting.example", make_org(), invited_by=desk["people"]["admin"]
        )
        calendar = Calendar(name=f"Calendar {n}", timezone="UTC", hours={"mon": [["09:00", "17:00"]]})
        db.session.add(
            SlaPolicy(
                name=f"Policy {n}", position=100 + n, calendar=calendar, lead=engineer, resolution_minutes=60
            )
        )
        queue_mail(other.email, f"Hello {n}", "Text")
        db.session.flush()
        ingest(letter(sender=other.email, subject=f"Toner low {n}"), source="test")
        db.session.add(
            InboundMail(
                raw=b"Subject: x\r\n\r\nx",
                message_id=f"<q{n}@x>",
                from_email=f"q{n}@x.example",
                outcome="quarantined",
            )
        )
        db.session.add(
            SearchLog(query=f"nothing {n}", normalized=f"nothing {n}", hits=0, source="kb", user_id=viewer.id)
        )
        resolved = services.open_ticket(
            requester=viewer, subject=f"Solved {n}", body="Done?", kind="question"
        )
        services.change_status(resolved, "resolved", actor=engineer)
        issued = surveys.issue(resolved)
        if issued:
            surveys.answer(issued[0], score=1 + n % 5, comment="ok", channel="web")
    db.session.commit()


def _file(n: int) -> list[Upload]:
    return [Upload(f"log{n}.txt", f"line {n}\n".encode(), "text/plain")] if n % 3 == 0 else []


def statements_of(client_for, api, desk: dict, who: str, path: str, sql_counter) -> int:
    """Statements one request runs, once caches are warm (the page is asked for twice)."""
    path = path.format(thread=desk["thread"])
    user = db.session.get(User, desk["people"][who].id)
    if path.startswith("api:"):
        caller = api(user)
        ask = partial(caller.get, path.removeprefix("api:"))
    else:
        client = client_for(user)
        ask = partial(client.get, path)
    assert ask().status_code == 200, path
    db.session.expunge_all()  # nothing the set-up loaded may hide a query per row
    with sql_counter() as counter:
        assert ask().status_code == 200, path
    return counter.count


def test_no_list_page_runs_more_statements_for_more_rows(desk, login, api, sql_counter):
    grow(desk, FEW)
    few = {page: statements_of(login, api, desk, *page, sql_counter) for page in PAGES}
    grow(desk, MANY - FEW)
    many = {page: statements_of(login, api, desk, *page, sql_counter) for page in PAGES}
    grown = {
        f"{who} {path}": (few[(who, path)], many[(who, path)])
        for who, path in PAGES
        if many[(who, path)] > few[(who, path)]
    }
    assert not grown, f"statements with {FEW} rows -> with {MANY} rows: {grown}"


TICKETS_COUNTED = re.compile(r"\bcount\s*\(.*\bFROM tickets\b", re.IGNORECASE | re.DOTALL)


LISTS = [
    ("engineer", "/queue"),
    ("engineer", "/queue?status=all"),
    ("engineer", "/queue?assignee=me&sort=updated"),
    ("engineer", "/queue?q=printer"),
    ("customer", "/portal?scope=org&status=all"),
]


def test_no_ticket_list_counts_the_whole_ticket_table(desk, login):
    """A count of every matching ticket on each view costs a pass over them: the lists page by keyset."""
    grow(desk, 2)
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        for who, path in LISTS:
            client = login(db.session.get(User, desk["people"][who].id))
            assert client.get(path).status_code == 200, path
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    counting = [s for s in seen if TICKETS_COUNTED.search(s) and "LIMIT" not in s.upper()]
    assert len(seen) > len(LISTS) and not counting, counting
