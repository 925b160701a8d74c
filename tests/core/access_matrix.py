"""Who may use which route: the expected outcome of every rule in the URL map, for every role.

Keys are "METHOD rule" exactly as `app.url_map` spells them; tests/core/test_access_matrix.py fails for
a route that has no entry here, so a new page or endpoint cannot ship without a decision about who may
use it. URL parameters are filled from tests/core/access_world.py, where everything belongs to
organisation A (customer_a's); customer_b belongs to organisation B.

An outcome is a status code, LOGIN (302 to /login?next=<the path>), or "303 /path" (a redirect to
exactly that path, parameters written as in the rule). Refused outcomes (LOGIN, 401, 403, 404) must
also write nothing to the database.

How to read the rules:
- Pages: anonymous visitors are sent to sign in; customers get 403 on staff pages and 404 on anything
  of another organisation (a number reveals nothing); staff visiting the portal are sent to the queue.
- API: no token is 401; a customer's token gets 403 on staff endpoints and 404 on another
  organisation's tickets; request bodies are valid where that matters, so the answer shows the rights
  rather than a schema error.
- Tokens are credentials: /survey/<token> and the confirmation link work for whoever holds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from support.schemas import MAX_ID

LOGIN = "login"


@dataclass(frozen=True)
class Ref:
    """A value in a request body taken from the world (an id known only once it is built)."""

    key: str


ROLES = ("anonymous", "customer_a", "customer_b", "engineer", "admin")


@dataclass(frozen=True)
class Case:
    """One request: the outcome per role, URL parameters that differ from the defaults, the body."""

    outcomes: dict
    params: dict = field(default_factory=dict)  # URL parameter -> world key (str) or literal (int)
    query: str = ""
    body: dict | None = None  # form fields for pages, JSON for the API
    raw: bytes | None = None  # a raw API body instead of JSON
    label: str = ""


def expect(anonymous, customer_a, customer_b, engineer, admin, **case) -> Case:
    outcomes = dict(zip(ROLES, (anonymous, customer_a, customer_b, engineer, admin), strict=True))
    return Case(outcomes=outcomes, **case)


def public(ok=200, **case) -> Case:
    return expect(ok, ok, ok, ok, ok, **case)


def signed_in(ok=200, **case) -> Case:
    return expect(LOGIN, ok, ok, ok, ok, **case)


def staff_page(ok=200, **case) -> Case:
    return expect(LOGIN, 403, 403, ok, ok, **case)


def admin_page(ok=200, **case) -> Case:
    return expect(LOGIN, 403, 403, 403, ok, **case)


def portal_page(ok=200, *, staff="303 /queue", stranger=404, **case) -> Case:
    """A customer page: customer_a's own; staff are sent to the queue."""
    return expect(LOGIN, ok, stranger, staff, staff, **case)


def staff_api(ok=200, **case) -> Case:
    return expect(401, 403, 403, ok, ok, **case)


def ticket_api(ok=200, *, staff=None, **case) -> Case:
    """An endpoint on organisation A's ticket: customer_b is told it does not exist."""
    return expect(401, ok, 404, ok if staff is None else staff, ok if staff is None else staff, **case)


TICKET_PAGE = "303 /queue/tickets/<number>"
INTERNAL_FILE = {"attachment_id": "internal_attachment_id", "filename": "internal_filename"}
API_TICKET = f"/api/v1/tickets/<int(min=1, max={MAX_ID}):number>"
API_ARTICLE = f"/api/v1/kb/articles/<int(min=1, max={MAX_ID}):article_id>"
RAW_MAIL = b"From: alice@access-a.example\r\nSubject: Paper jam\r\nMessage-ID: <m1@a>\r\n\r\nJammed.\r\n"

EXPECTATIONS: dict[str, Case | list[Case]] = {
    "GET /": expect("302 /portal", "302 /portal", "302 /portal", "302 /queue", "302 /queue"),
    "GET /static/<path:filename>": public(params={"filename": "static_file"}),
    # -- signing in, joining, own settings --------------------------------------------------------
    "GET /login": expect(200, "303 /portal", "303 /portal", "303 /queue", "303 /queue"),
    "POST /login": public(400),
    "POST /logout": public("303 /login"),
    "POST /language/<code>": public("303 /"),
    "GET /profile": signed_in(),
    "POST /profile": signed_in(400),
    # Reset links: whoever holds one may use it (it was mailed to the account's address).
    "GET /password/forgot": public(),
    "POST /password/forgot": public(400),
    "GET /password/reset/<token>": [
        public(label="valid link", params={"token": "reset_token"}),
        public(404, label="made-up link", params={"token": "confirm_token"}),
    ],
    "POST /password/reset/<token>": public(400, params={"token": "reset_token"}),
    "GET /register": public(),
    "POST /register": public(400),
    "GET /register/confirm/<token>": public(404, params={"token": "confirm_token"}),
    "POST /register/confirm/<token>/resend": public(404, params={"token": "confirm_token"}),
    # -- the portal -------------------------------------------------------------------------------
    "GET /portal": portal_page(stranger=200),
    "GET /portal/tickets/new": portal_page(stranger=200),
    "POST /portal/tickets/new": portal_page(400, stranger=400),
    "GET /portal/tickets/<int:number>": portal_page(staff=TICKET_PAGE),
    "POST /portal/tickets/<int:number>/replies": [
        portal_page(400, staff=TICKET_PAGE, label="empty"),
        portal_page(
            "303 /portal/tickets/<number>", staff=TICKET_PAGE, body={"body": "Still blank."}, label="reply"
        ),
    ],
    "POST /portal/tickets/<int:number>/status": [
        portal_page(400, staff=TICKET_PAGE, label="empty"),
        portal_page(
            "303 /portal/tickets/<number>", staff=TICKET_PAGE, body={"status": "closed"}, label="close"
        ),
    ],
    "GET /attachments/<int:attachment_id>/<path:filename>": [
        expect(LOGIN, 200, 404, 200, 200, label="public reply"),
        expect(LOGIN, 404, 404, 200, 200, params=INTERNAL_FILE, label="internal note"),
    ],
    # Surveys: the mailed token is the credential; the portal's form is for the ticket's customers.
    "GET /survey/<string(maxlength=100):token>": public(),
    "POST /survey/<string(maxlength=100):token>": [
        public(400, label="empty"),
        public("303 /survey/thanks", body={"score": "5"}, label="answer"),
    ],
    "GET /survey/thanks": public(),
    "POST /survey/tickets/<int:number>": expect(
        LOGIN, "303 /portal/tickets/<number>", 404, 404, 404, params={"number": "resolved_number"}
    ),
    # -- the queue --------------------------------------------------------------------------------
    "GET /queue": staff_page(),
    "POST /queue/bulk": staff_page("303 /queue"),
    "GET /queue/tickets/<int:number>": staff_page(),
    "POST /queue/tickets/<int:number>/claim": staff_page(TICKET_PAGE),
    "POST /queue/tickets/<int:number>/merge": staff_page(400),
    "POST /queue/tickets/<int:number>/properties": staff_page(400),
    "POST /queue/tickets/<int:number>/reply": staff_page(400),
    "GET /queue/tickets/<int:number>/sla": staff_page(),
    "GET /queue/tickets/<int:number>/quick-reply": staff_page(),
    # -- knowledge base: reading is public (KB_PUBLIC), drafts are staff's --------------------------
    "GET /kb": public(),
    "GET /kb/suggest": public(query="subject=printer+blank"),
    "GET /kb/<ref>": [
        public(label="published"),
        expect(404, 404, 404, 200, 200, params={"ref": "draft_ref"}, label="draft"),
    ],
    "GET /kb/suggested/<int:article_id>": [
        public("303 /kb/<ref>", label="published"),
        expect(
            404,
            404,
            404,
            "303 /kb/<ref>",
            "303 /kb/<ref>",
            params={"article_id": "draft_id", "ref": "draft_ref"},
            label="draft",
        ),  # fmt: skip
    ],
    "POST /kb/<int:article_id>/feedback": [
        public(400, label="published"),
        expect(404, 404, 404, 400, 400, params={"article_id": "draft_id"}, label="draft"),
    ],
    "GET /kb/manage": staff_page(),
    "GET /kb/articles/new": staff_page(),
    "POST /kb/articles/new": staff_page(400),
    "GET /kb/<int:article_id>/edit": staff_page(),
    "POST /kb/<int:article_id>/edit": staff_page(400),
    "GET /kb/<int:article_id>/history": staff_page(),
    "GET /kb/<int:article_id>/revisions/<int:number>": staff_page(params={"number": "revision"}),
    "POST /kb/<int:article_id>/revisions/<int:number>/restore": staff_page(
        "303 /kb/<article_id>/revisions/<number>", params={"number": "revision"}
    ),
    "GET /kb/reports": staff_page(),
    "GET /kb/synonyms": staff_page(),
    "POST /kb/synonyms": staff_page(400),
    "POST /kb/synonyms/<int:group_id>": staff_page(400),
    "POST /kb/synonyms/<int:group_id>/delete": staff_page("303 /kb/synonyms"),
    "GET /kb/tickets/<int:number>/panel": staff_page(),
    "GET /kb/tickets/<int:number>/search": staff_page(),
    "POST /kb/tickets/<int:number>/links": staff_page(400),
    "POST /kb/tickets/<int:number>/links/<int:link_id>/delete": staff_page(TICKET_PAGE),
    # The new draft's id is not known in advance; 303 to its editor is checked in tests/kb.
    "POST /kb/tickets/<int:number>/draft": staff_page(303),
    # -- service levels and reports ---------------------------------------------------------------
    "GET /reports": staff_page(),
    "GET /reports/sla.csv": staff_page(),
    "GET /admin/sla": admin_page("302 /admin/sla/policies"),
    "GET /admin/sla/calendars": admin_page(),
    "GET /admin/sla/calendars/new": admin_page(),
    "POST /admin/sla/calendars/new": admin_page(400),
    "GET /admin/sla/calendars/<int:calendar_id>": admin_page(),
    "POST /admin/sla/calendars/<int:calendar_id>": admin_page("303 /admin/sla/calendars/<calendar_id>"),
    "POST /admin/sla/calendars/<int:calendar_id>/delete": admin_page("303 /admin/sla/calendars"),
    "GET /admin/sla/policies": admin_page(),
    "GET /admin/sla/policies/new": admin_page(),
    "POST /admin/sla/policies/new": admin_page(400),
    "GET /admin/sla/policies/<int:policy_id>": admin_page(),
    "POST /admin/sla/policies/<int:policy_id>": admin_page(400),
    "POST /admin/sla/policies/<int:policy_id>/move": admin_page("303 /admin/sla/policies"),
    # -- reviews, problems, glossary (the team's) -------------------------------------------------
    "GET /reviews": staff_page(),
    "POST /reviews": staff_page(400),
    "GET /reviews/<int:review_id>": staff_page(),
    "POST /reviews/<int:review_id>/actions": staff_page(400),
    "POST /reviews/<int:review_id>/hold": staff_page("303 /reviews/<review_id>"),
    "POST /reviews/<int:review_id>/notes": staff_page("303 /reviews/<review_id>"),
    "POST /reviews/<int:review_id>/refresh": staff_page("303 /reviews/<review_id>"),
    "POST /reviews/actions/<int:action_id>": staff_page("303 /reviews/<review_id>"),
    "GET /reviews/glossary": staff_page(),
    "POST /reviews/glossary": staff_page(400),
    "POST /reviews/glossary/seed": staff_page("303 /reviews/glossary"),
    "GET /reviews/glossary/<int:concept_id>": staff_page(),
    "POST /reviews/glossary/<int:concept_id>": staff_page(400),
    "POST /reviews/glossary/<int:concept_id>/delete": staff_page("303 /reviews/glossary"),
    "GET /reviews/problems": staff_page(),
    "GET /reviews/problems/<int:problem_id>": staff_page(),
    "POST /reviews/problems/<int:problem_id>": staff_page(400),
    "POST /reviews/problems/<int:problem_id>/tickets": staff_page(400),
    "POST /reviews/problems/<int:problem_id>/tickets/<int:number>/unlink": staff_page(
        "303 /reviews/problems/<problem_id>"
    ),
    "GET /reviews/recurring": staff_page(),
    "POST /reviews/recurring/confirm": staff_page("303 /reviews/recurring"),
    "POST /reviews/recurring/dismiss": staff_page("303 /reviews/recurring"),
    "POST /reviews/tickets/<int:number>/problems/<int:problem_id>/<any(link, reject):decision>": staff_page(
        TICKET_PAGE
    ),
    # -- administration ---------------------------------------------------------------------------
    "GET /admin": admin_page(),
    "GET /admin/users": admin_page(),
    "GET /admin/users/new": admin_page(),
    "POST /admin/users/new": admin_page(400),
    "GET /admin/users/<int:user_id>": admin_page(),
    "POST /admin/users/<int:user_id>": admin_page("303 /admin/users"),
    "GET /admin/organisations": admin_page(),
    "GET /admin/organisations/new": admin_page(),
    "POST /admin/organisations/new": admin_page(400),
    "GET /admin/organisations/<int:org_id>": admin_page(),
    "POST /admin/organisations/<int:org_id>": admin_page("303 /admin/organisations"),
    "GET /admin/teams": admin_page(),
    "GET /admin/teams/new": admin_page(),
    "POST /admin/teams/new": admin_page(400),
    "GET /admin/teams/<int:team_id>": admin_page(),
    "POST /admin/teams/<int:team_id>": admin_page("303 /admin/teams"),
    "POST /admin/teams/<int:team_id>/delete": admin_page("303 /admin/teams"),
    "GET /admin/invitations": admin_page(),
    "POST /admin/invitations": admin_page(400),
    "POST /admin/invitations/<int:invitation_id>/revoke": admin_page("303 /admin/invitations"),
    "GET /admin/mail": admin_page(),
    "GET /admin/mail/quarantine": admin_page(),
    "GET /admin/mail/<int:inbound_id>": admin_page(),
    "GET /admin/mail/<int:inbound_id>/raw": admin_page(),
    # Only quarantined or ignored mail can be filed again; the world's mail became a ticket.
    "POST /admin/mail/<int:inbound_id>/reprocess": admin_page(409),
    "POST /admin/mail/<int:inbound_id>/ticket": admin_page(409),
    "GET /admin/mail/outbox": admin_page(),
    "POST /admin/mail/outbox/<int:mail_id>/retry": admin_page(409),  # only failed mail is retried
    # -- REST API ---------------------------------------------------------------------------------
    "GET /api/v1/openapi.json": public(),
    "GET /api/v1/tickets": expect(401, 200, 200, 200, 200),
    "POST /api/v1/tickets": expect(
        401,
        201,
        201,
        201,
        201,
        body={"subject": "Scanner offline", "body": "Since 9:00.", "kind": "incident"},
    ),
    f"GET {API_TICKET}": ticket_api(),
    f"PATCH {API_TICKET}": [
        ticket_api(body={"subject": "Printer prints blank pages"}, label="subject"),
        ticket_api(422, staff=200, body={"priority": "urgent"}, label="priority (staff only)"),
    ],
    f"GET {API_TICKET}/messages": ticket_api(),
    f"POST {API_TICKET}/messages": [
        ticket_api(201, body={"body": "Any news?"}, label="reply"),
        ticket_api(422, staff=201, body={"body": "Check the fuser.", "internal": True}, label="note"),
    ],
    f"GET {API_TICKET}/history": ticket_api(),
    f"GET {API_TICKET}/sla": ticket_api(),
    f"GET {API_TICKET}/articles": ticket_api(),
    f"POST {API_TICKET}/articles": ticket_api(
        403, staff=201, body={"article_id": Ref("article_id"), "relation": "related"}
    ),
    f"GET /api/v1/attachments/<int(min=1, max={MAX_ID}):attachment_id>/<path:filename>": [
        ticket_api(label="public reply"),
        expect(401, 404, 404, 200, 200, params=INTERNAL_FILE, label="internal note"),
    ],
    "GET /api/v1/kb/search": expect(401, 200, 200, 200, 200, query="q=printer"),
    "GET /api/v1/kb/articles": expect(401, 200, 200, 200, 200),
    "POST /api/v1/kb/articles": staff_api(201, body={"title": "Toner", "body": "Shake it."}),
    f"GET {API_ARTICLE}": [
        expect(401, 200, 200, 200, 200, label="published"),
        expect(401, 404, 404, 200, 200, params={"article_id": "draft_id"}, label="draft"),
    ],
    f"PATCH {API_ARTICLE}": staff_api(body={"title": "Blank pages after an update"}),
    "POST /api/v1/mail/inbound": staff_api(raw=RAW_MAIL),
    "GET /api/v1/reviews/recurring": staff_api(),
    "GET /api/v1/sla/calendars": staff_api(),
    "GET /api/v1/sla/policies": staff_api(),
    "POST /api/v1/surveys/<string(maxlength=100):token>": [
        public(422, label="empty"),
        public(200, body={"score": 4}, label="answer"),
    ],
}


def cases_of(expectations: dict) -> list:
    """pytest params, one per case, named after the route (and the case's label)."""
    import pytest

    return [
        pytest.param(key, case, id=f"{key} [{case.label}]" if case.label else key)
        for key, value in expectations.items()
        for case in (value if isinstance(value, list) else [value])
    ]
