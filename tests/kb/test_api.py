"""The knowledge-base REST API and the ticket <-> article link API."""

from __future__ import annotations

from core.extensions import db
from kb.models import SearchLog
from support import links
from tests.factories import make_engineer, make_ticket, make_user


def test_staff_create_read_list_and_patch_articles(api):
    staff = api(make_engineer())
    created = staff.post(
        "/kb/articles",
        json={
            "title": "VPN drops",
            "body": "Set **keepalive**.",
            "language": "en",
            "status": "published",
            "tags": ["vpn"],
        },
    )
    assert created.status_code == 201, created.json
    article = created.json
    assert article["revision"] == 1 and "<strong>keepalive</strong>" in article["body_html"]
    assert created.headers["Location"].endswith(f"/api/v1/kb/articles/{article['id']}")
    assert staff.get(f"/kb/articles/{article['id']}").json["title"] == "VPN drops"
    assert [a["id"] for a in staff.get("/kb/articles").json["articles"]] == [article["id"]]
    patched = staff.patch(
        f"/kb/articles/{article['id']}", json={"body": "Set keepalive to 20 s.", "revision": 1}
    )
    assert patched.status_code == 200 and patched.json["revision"] == 2
    stale = staff.patch(f"/kb/articles/{article['id']}", json={"body": "Late", "revision": 1})
    assert stale.status_code == 409


def test_invalid_input_is_a_4xx_naming_the_fields(api):
    staff = api(make_engineer())
    missing = staff.post("/kb/articles", json={"language": "fr", "colour": "red"})
    assert missing.status_code == 422
    assert {"title", "body", "language", "colour"} <= set(missing.json["errors"]["json"])
    staff.post("/kb/articles", json={"title": "A", "body": "B", "slug": "taken"})
    clash = staff.post("/kb/articles", json={"title": "C", "body": "D", "slug": "taken"})
    assert clash.status_code == 422 and "slug" in clash.json["errors"]["json"]
    bad_args = staff.get("/kb/search?limit=0&language=xx")
    assert bad_args.status_code == 422 and {"limit", "language"} <= set(bad_args.json["errors"]["query"])


def test_customers_read_public_articles_only_and_cannot_write(api, make_article):
    public = make_article(title="Public answer")
    internal = make_article(title="Internal answer", visibility="internal")
    customer = api(make_user())
    assert customer.get(f"/kb/articles/{public.id}").status_code == 200
    assert customer.get(f"/kb/articles/{internal.id}").status_code == 404
    assert [a["id"] for a in customer.get("/kb/articles").json["articles"]] == [public.id]
    assert customer.post("/kb/articles", json={"title": "x", "body": "y"}).status_code == 403
    assert customer.patch(f"/kb/articles/{public.id}", json={"title": "z"}).status_code == 403


def test_search_answers_best_first_with_id_title_score_snippet(api, make_article, drain):
    best = make_article(title="APNs certificate expired", body="Renew the APNs certificate.")
    other = make_article(title="Certificates in general", body="Some words about a certificate.")
    db.session.commit()
    drain()
    response = api(make_user()).get("/kb/search?q=APNs%20certificate&limit=5")
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["id"] for r in results] == [best.id, other.id]
    assert {"id", "title", "score", "snippet"} <= set(results[0])
    assert results[0]["score"] >= results[1]["score"] and "<mark" in results[0]["snippet"]
    assert db.session.query(SearchLog).filter_by(source="api").one().hits == 2


def test_search_without_a_token_is_401_and_empty_query_is_empty(api, client):
    assert client.get("/api/v1/kb/search?q=x").status_code == 401
    assert api(make_user()).get("/kb/search?q=").json["results"] == []


def test_staff_link_an_article_to_a_ticket_through_the_api(api, make_article):
    article = make_article()
    ticket = make_ticket()
    staff = api(make_engineer())
    response = staff.post(f"/tickets/{ticket.number}/articles", json={"article_id": article.id})
    assert response.status_code == 201 and response.json["relation"] == "solved_by"
    again = staff.post(f"/tickets/{ticket.number}/articles", json={"article_id": article.id})
    assert again.status_code == 200 and again.json["id"] == response.json["id"]
    listed = staff.get(f"/tickets/{ticket.number}/articles").json
    assert [link["article"]["id"] for link in listed] == [article.id]
    assert [e.kind for e in ticket.events][-1] == "article_linked"


def test_link_api_errors_name_the_field(api, make_article):
    ticket = make_ticket()
    staff = api(make_engineer())
    assert staff.post(f"/tickets/{ticket.number}/articles", json={}).json["errors"]["json"].keys() == {
        "article_id"
    }
    unknown = staff.post(f"/tickets/{ticket.number}/articles", json={"article_id": 999999})
    assert unknown.status_code == 422 and "article_id" in unknown.json["errors"]["json"]
    bad = staff.post(
        f"/tickets/{ticket.number}/articles", json={"article_id": make_article().id, "relation": "x"}
    )
    assert bad.status_code == 422 and "relation" in bad.json["errors"]["json"]
    assert staff.post("/tickets/99999999/articles", json={"article_id": 1}).status_code == 404


def test_customers_cannot_link_but_see_links_to_public_articles(api, make_article):
    customer_user = make_user()
    ticket = make_ticket(customer_user)
    public = make_article()
    internal = make_article(title="Internal", visibility="internal")
    engineer = make_engineer()
    links.link_article(ticket, public, relation="solved_by", actor=engineer)
    links.link_article(ticket, internal, relation="related", actor=engineer)
    customer = api(customer_user)
    assert (
        customer.post(f"/tickets/{ticket.number}/articles", json={"article_id": public.id}).status_code == 403
    )
    assert [link["article"]["id"] for link in customer.get(f"/tickets/{ticket.number}/articles").json] == [
        public.id
    ]


def test_the_openapi_document_lists_the_kb_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/kb/search",
        "/api/v1/kb/articles",
        "/api/v1/kb/articles/{article_id}",
        "/api/v1/tickets/{number}/articles",
    ):
        assert path in paths
