"""The reviews pages render for staff, refuse customers, and their forms do what they say; the API shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from core.extensions import db
from reviews import glossary, queries, services
from reviews.models import Dismissal, GlossaryConcept, Problem, Review
from tests.factories import make_engineer, make_ticket, make_user
from tests.reviews.labelled import DEV

NOW = datetime.now(UTC).replace(microsecond=0)


def _file(label: str) -> list[int]:
    numbers = [
        make_ticket(
            make_user(), subject=t.subject, body=t.body, product=t.product, now=NOW - timedelta(days=2)
        ).id
        for t in DEV
        if t.label == label
    ]
    db.session.commit()  # a view that refuses a form rolls back: what the test made must survive that
    return numbers


def test_staff_pages_render_and_customers_are_refused(client, login):
    _file("OFFLINE")
    login(make_engineer())
    for path in ("/reviews", "/reviews/recurring", "/reviews/problems", "/reviews/glossary"):
        assert client.get(path).status_code == 200, path
    assert "离线" in client.get("/reviews/recurring").text
    login(make_user())
    assert client.get("/reviews").status_code == 403
    assert client.get("/reviews/recurring").status_code == 403


def test_confirm_and_dismiss_from_the_recurring_page(client, login):
    offline = _file("OFFLINE")
    slow = _file("SLOW_DASHBOARD")
    login(make_engineer())
    views = {v.tickets[0]: v for v in queries.detect_recurring(days=30, now=NOW)}

    def form(view, **extra):
        return {
            "key": view.key,
            "label": view.label,
            "numbers": ",".join(map(str, view.tickets)),
            "signature": json.dumps(view.signature),
            **extra,
        }

    confirmed = client.post(
        "/reviews/recurring/confirm", data=form(views[offline[0]], title="Gateways go offline")
    )
    assert confirmed.status_code == 303
    problem = db.session.scalars(db.select(Problem)).one()
    assert problem.title == "Gateways go offline" and len(problem.links) == len(offline)
    assert client.post("/reviews/recurring/dismiss", data=form(views[slow[0]])).status_code == 303
    assert db.session.scalars(db.select(Dismissal)).one().tickets == sorted(slow)
    page = client.get("/reviews/recurring?fresh=1").text
    assert f'/queue/tickets/{slow[0]}"' not in page and f"Problem #{problem.id}" in page


def test_problem_page_edits_with_errors_next_to_the_field(client, login):
    problem = services.confirm_cluster(
        title="Backups fail", numbers=_file("BACKUP_FAILED"), signature={}, actor=None
    )
    login(make_engineer())
    db.session.commit()
    refused = client.post(
        f"/reviews/problems/{problem.id}", data={"title": "Backups fail", "status": "known_error"}
    )
    assert refused.status_code == 400 and "needs a workaround" in refused.text
    assert 'value="Backups fail"' in refused.text
    saved = client.post(
        f"/reviews/problems/{problem.id}",
        data={"title": "Backups fail", "status": "known_error", "workaround": "Start it by hand"},
    )
    assert saved.status_code == 303 and problem.status == "known_error"
    assert "Start it by hand" in client.get(f"/reviews/problems/{problem.id}").text


def test_staff_ticket_page_offers_the_known_error(client, login):
    problem = services.confirm_cluster(title="Cert", numbers=[], signature={}, actor=None)
    ticket = make_ticket()
    db.session.add(services.ProblemTicket(problem=problem, ticket=ticket, state="suggested"))
    problem.workaround = "Accept the warning"
    db.session.flush()
    login(make_engineer())
    page = client.get(f"/queue/tickets/{ticket.id}").text
    assert 'data-testid="problem-panel"' in page and "Accept the warning" in page
    linked = client.post(f"/reviews/tickets/{ticket.id}/problems/{problem.id}/link")
    assert linked.status_code == 303 and linked.location.endswith(f"/queue/tickets/{ticket.id}#problems")


def test_review_page_with_notes_and_action_items(client, login):
    engineer = make_engineer()
    review = services.create_review(
        period_start=NOW - timedelta(days=7), period_end=NOW - timedelta(minutes=1)
    )
    login(engineer)
    db.session.commit()
    assert client.get(f"/reviews/{review.id}").status_code == 200
    assert client.post(f"/reviews/{review.id}/notes", data={"notes": "Backups again"}).status_code == 303
    missing = client.post(f"/reviews/{review.id}/actions", data={"title": ""})
    assert missing.status_code == 400
    added = client.post(
        f"/reviews/{review.id}/actions",
        data={"title": "Fix backups", "owner": str(engineer.id), "due_on": "2020-01-01"},
    )
    assert added.status_code == 303
    action = review.actions[0]
    assert (action.title, action.owner_id, review.notes) == ("Fix backups", engineer.id, "Backups again")
    assert 'data-testid="my-overdue"' in client.get("/reviews").text
    # ...and on the owner's queue, where an engineer starts the day.
    assert 'data-testid="overdue-actions"' in client.get("/queue").text
    done = client.post(
        f"/reviews/actions/{action.id}", data={f"a{action.id}-status": "done", f"a{action.id}-owner": ""}
    )
    assert done.status_code == 303 and action.status == "done"
    assert client.post(f"/reviews/{review.id}/hold").status_code == 303
    assert db.session.get(Review, review.id).status == "held"


def test_glossary_page_edits_and_refuses_a_term_of_another_concept(client, login):
    glossary.seed_defaults()
    login(make_engineer())
    db.session.commit()
    offline = db.session.scalars(db.select(GlossaryConcept).where(GlossaryConcept.code == "OFFLINE")).one()
    clash = client.post(
        "/reviews/glossary",
        data={
            "new-code": "GONE",
            "new-kind": "symptom",
            "new-label_en": "gone",
            "new-label_zh": "没了",
            "new-terms_en": "offline",
        },
    )
    assert clash.status_code == 400 and "already belongs to OFFLINE" in clash.text
    edited = client.post(
        f"/reviews/glossary/{offline.id}",
        data={
            "edit-code": "OFFLINE",
            "edit-kind": "symptom",
            "edit-label_en": "offline",
            "edit-label_zh": "离线",
            "edit-terms_en": offline.terms_en + "\nvanished from the map",
            "edit-terms_zh": offline.terms_zh,
        },
    )
    assert edited.status_code == 303
    assert "OFFLINE" in glossary.current_matcher().find(" vanish from the map ")


def test_recurring_api_shape_and_access(api):
    numbers = _file("CLOCK_DRIFT")
    answer = api(make_engineer()).get("/reviews/recurring?days=7")
    assert answer.status_code == 200
    cluster = next(c for c in answer.json["clusters"] if numbers[0] in c["tickets"])
    assert set(cluster) >= {"label", "tickets", "size", "trend", "organisations", "products"}
    assert cluster["size"] == len(cluster["tickets"]) and cluster["trend"]["direction"] == "new"
    assert api(make_engineer()).get("/reviews/recurring?days=0").status_code == 422
    assert api(make_user()).get("/reviews/recurring").status_code == 403


def test_cli_detect_prints_the_clusters(app):
    _file("LICENSE_EXPIRED")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reviews", "detect", "--days", "7", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["clusters"] and "授权" in data["clusters"][0]["label"]


def test_preparing_a_review_from_the_page_says_so(client, login):
    login(make_engineer())
    response = client.post(
        "/reviews", data={"start": "2026-10-01", "end": "2026-11-01"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "The review is ready: its figures were taken just now." in response.text
