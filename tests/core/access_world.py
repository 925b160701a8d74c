"""The data the access matrix runs against: everything a URL can name, owned by organisation A.

Built once per module (tests/core/test_access_matrix.py) inside a transaction that is rolled back at
the end; each request then runs inside its own savepoint, so a POST that deletes or changes something
leaves the next request the same world.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from core import auth
from core import services as accounts
from core.db import utcnow
from core.extensions import db
from core.mail import queue_mail
from core.models import Invitation, Role
from kb import services as kb_services
from reviews import glossary, surveys
from reviews import services as review_services
from sla.models import Calendar, SlaPolicy
from support import links
from support import services as tickets
from support.attachments import Upload
from support.mail.ingest import ingest
from tests.support.mail.letters import letter

# Text that only staff may ever read: the content checks look for it in what customers get.
INTERNAL_NOTE = "INTERNAL-ONLY: the licence server at this customer is misconfigured"
INTERNAL_FILE = "internal-diagnosis.txt"
DRAFT_TITLE = "Unreleased firmware notes"
PUBLIC_FILE = "printer-log.txt"
SUBJECT = "Printer on floor 3 prints blank pages"
PUBLIC_REPLY = "We are looking into it."


def build() -> dict:
    """Create the fixtures and return their ids and names by the URL parameter they fill."""
    org_a = accounts.get_or_create_organisation("Access Org A", domains="access-a.example")
    org_b = accounts.get_or_create_organisation("Access Org B")
    users = {
        "customer_a": accounts.create_user(
            "alice@access-a.example", organisation=org_a, password="pw-alice-1"
        ),
        "customer_b": accounts.create_user("bob@access-b.example", organisation=org_b, password="pw-bob-1"),
        "engineer": accounts.create_user("eve@desk.example", role=Role.engineer, password="pw-eve-1"),
        "admin": accounts.create_user("ada@desk.example", role=Role.admin, password="pw-ada-1"),
    }
    tokens = {role: accounts.create_api_token(user) for role, user in users.items()}
    engineer = users["engineer"]

    ticket = tickets.open_ticket(
        requester=users["customer_a"],
        subject=SUBJECT,
        body="Since the update every page is blank.",
        kind="incident",
        attachments=[Upload(PUBLIC_FILE, b"E-42 E-42 E-42\n", "text/plain")],
    )
    public = ticket.messages[0]
    note = tickets.add_message(
        ticket,
        author=engineer,
        body=INTERNAL_NOTE,
        internal=True,
        attachments=[Upload(INTERNAL_FILE, b"licence server: 10.0.0.9\n", "text/plain")],
    )
    tickets.add_message(ticket, author=engineer, body=PUBLIC_REPLY)

    resolved = tickets.open_ticket(
        requester=users["customer_a"], subject="VPN drops every hour", body="It drops.", kind="question"
    )
    tickets.change_status(resolved, "resolved", actor=engineer)
    _survey, survey_token = surveys.issue(resolved)

    published = kb_services.create_article(
        author=engineer,
        title="Blank pages after a printer update",
        body="Reinstall the driver.",
        status="published",
    )
    draft = kb_services.create_article(author=engineer, title=DRAFT_TITLE, body="Not yet.")
    synonyms = kb_services.save_synonyms(None, "printer, 打印机", editor=engineer)
    link, _new = links.link_article(ticket, published, relation="solved_by", actor=engineer)
    # Staff may link a draft while they write it; its title is not for customers yet.
    links.link_article(ticket, draft, relation="related", actor=engineer)

    problem = review_services.confirm_cluster(
        title="Blank pages", numbers=[ticket.id], signature={}, actor=engineer
    )
    now = utcnow()
    review = review_services.create_review(
        period_start=now - timedelta(days=14), period_end=now - timedelta(days=7), now=now
    )
    action = review_services.add_action(review, title="Ship the driver fix", owner=engineer, due_on=None)
    concept = glossary.save_concept(
        None,
        code="BLANK_PAGE",
        kind="symptom",
        label_en="Blank page",
        label_zh="空白页",
        terms_en="blank page",
        terms_zh="空白页",
    )
    team = accounts.create_team("Printers", members=[engineer])
    invitation_token = accounts.create_invitation("carol@access-a.example", org_a, invited_by=users["admin"])
    invitation_id = db.session.scalar(
        sa.select(Invitation.id).where(Invitation.email == "carol@access-a.example")
    )
    outbound = queue_mail("alice@access-a.example", "Hello", "Text")
    db.session.flush()
    inbound = ingest(letter(sender="alice@access-a.example", subject="Toner low"), source="test")

    return {
        "tokens": tokens,
        "user_ids": {role: user.id for role, user in users.items()},
        "number": ticket.id,
        "resolved_number": resolved.id,
        "attachment_id": public.attachments[0].id,
        "filename": PUBLIC_FILE,
        "internal_attachment_id": note.attachments[0].id,
        "internal_filename": INTERNAL_FILE,
        "article_id": published.id,
        "ref": published.slug,
        "draft_id": draft.id,
        "draft_ref": draft.slug,
        "revision": 1,
        "group_id": synonyms.id,
        "link_id": link.id,
        "problem_id": problem.id,
        "decision": "link",
        "review_id": review.id,
        "action_id": action.id,
        "concept_id": concept.id,
        "calendar_id": db.session.scalar(sa.select(sa.func.min(Calendar.id))),
        "policy_id": db.session.scalar(sa.select(sa.func.min(SlaPolicy.id))),
        "team_id": team.id,
        "user_id": users["customer_a"].id,
        "org_id": org_a.id,
        "invitation_id": invitation_id,
        "invitation_token": invitation_token,
        "inbound_id": inbound.inbound_id,
        "mail_id": outbound.id,
        "token": survey_token,
        "confirm_token": "not-a-valid-link",
        "reset_token": auth.reset_token(users["customer_a"]),
        "code": "zh_Hans",
        "static_file": "css/app.css",
    }
