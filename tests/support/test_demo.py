"""`flask demo seed`: what a newcomer sees on a first start, the same every time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.mail_models import OutboundMail
from core.models import Organisation, User
from kb import search
from kb.models import Article, IndexQueue, Synonym
from support import demo
from support.links import TicketArticle
from support.models import Kind, Message, Status, Ticket, TicketEvent
from tests.factories import make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def index_dir(app, tmp_path, monkeypatch):
    """The seed builds a real index: keep it out of the index other tests share."""
    path = tmp_path / "index"
    monkeypatch.setitem(app.config, "INDEX_DIR", str(path))
    return path


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["demo", "seed", *args])


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_loads_organisations_people_and_a_month_of_tickets(cli, client):
    result = cli()
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000" in result.output
    for email, password in [
        ("admin@aftercare.example", "admin-demo-1"),
        ("li.wei@aftercare.example", "engineer-demo-1"),
        ("sarah.jones@aftercare.example", "engineer-demo-1"),
        ("zhang.min@hengtai.cn", "customer-demo-1"),
        ("tom.baker@northwind.example", "customer-demo-1"),
    ]:
        assert re.search(rf"{re.escape(email)}\s+{password}", result.output)

    # The demo's people are made up: no package queued a mail to any of them (surveys, SLA, notices).
    assert count(OutboundMail) == 0

    orgs = db.session.scalars(sa.select(Organisation)).all()
    assert len(orgs) == 3
    assert {o.tier for o in orgs} == {"basic", "standard", "premium"}
    assert any(CHINESE.search(o.name) for o in orgs) and all(o.domains for o in orgs)
    roles = db.session.execute(sa.select(User.role, sa.func.count()).group_by(User.role)).all()
    assert dict(roles) == {"admin": 1, "engineer": 3, "customer": 6}

    tickets = db.session.scalars(sa.select(Ticket)).all()
    assert 45 <= len(tickets) <= 60
    combinations = {(t.kind, t.status) for t in tickets}
    assert combinations == {(kind, status) for kind in Kind for status in Status}
    assert any(CHINESE.search(t.subject) for t in tickets)
    assert any(not CHINESE.search(t.subject) for t in tickets)
    assert all(t.organisation_id == t.requester.organisation_id for t in tickets)

    now = datetime.now(UTC)
    assert all(now - timedelta(days=30) <= t.created_at <= now for t in tickets)
    assert max(t.created_at for t in tickets) - min(t.created_at for t in tickets) > timedelta(days=20)
    assert count(Message) > 2 * len(tickets)
    assert db.session.scalar(sa.select(sa.func.count()).where(Message.internal)) > 0
    event_kinds = set(db.session.scalars(sa.select(TicketEvent.kind).distinct()))
    assert {"created", "replied", "noted", "assigned", "status_changed"} <= event_kinds

    # The history is what the services wrote: staff replies count as first responses.
    answered = [t for t in tickets if t.status != Status.new]
    assert all(t.first_response_at is not None and t.assignee is not None for t in answered)
    assert all(t.resolved_at is not None for t in tickets if t.status in (Status.resolved, Status.closed))

    for email, password, home in [
        ("admin@aftercare.example", "admin-demo-1", "/queue"),
        ("wang.fang@hengtai.cn", "customer-demo-1", "/portal"),
    ]:
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 303 and response.headers["Location"] == home
        client.post("/logout")


def test_seed_writes_a_bilingual_knowledge_base_linked_to_resolved_tickets(cli):
    result = cli()
    assert result.exit_code == 0, result.output
    articles = db.session.scalars(sa.select(Article)).all()
    assert f"{len(articles)} knowledge-base articles" in result.output
    assert 10 <= len(articles) <= 16
    assert all(a.status == "published" and a.published_at is not None for a in articles)
    by_language = {lang: [a for a in articles if a.language == lang] for lang in ("zh", "en")}
    assert len(by_language["zh"]) == len(by_language["en"])
    assert all(CHINESE.search(a.title) for a in by_language["zh"])
    assert not any(CHINESE.search(a.title) for a in by_language["en"])
    assert 2 <= sum(a.visibility == "internal" for a in articles) <= 4
    # The articles are about what the demo's tickets are about.
    products = set(db.session.scalars(sa.select(Ticket.product).distinct()))
    assert {a.product for a in articles} <= products
    assert all(a.category is not None and a.tag_list for a in articles)
    assert any(a.translation_group is not None for a in articles)
    assert any(a.revision > 1 for a in articles)
    assert count(Synonym) >= 3

    links = db.session.scalars(sa.select(TicketArticle)).all()
    assert len(links) >= 3
    assert {link.relation for link in links} == {"solved_by", "created_from"}
    assert all(link.ticket.status in (Status.resolved, Status.closed) for link in links)
    assert all(link.created_by is not None and link.created_by.is_staff for link in links)
    # An article can only have solved a ticket that was resolved after it was written.
    assert all(
        link.ticket.resolved_at >= link.article.created_at for link in links if link.relation == "solved_by"
    )
    linked = {(e.ticket_id, e.data["article_id"]) for e in _events("article_linked")}
    assert linked == {(link.ticket_id, link.article_id) for link in links}


def _events(kind: str) -> list[TicketEvent]:
    return list(db.session.scalars(sa.select(TicketEvent).where(TicketEvent.kind == kind)))


def test_after_the_seed_the_search_index_answers_in_both_languages(cli, client, index_dir):
    assert cli().exit_code == 0
    # The command built the index itself: nothing is left for the indexing job.
    assert count(IndexQueue) == 0
    assert search.document_count(index_dir) == count(Article)
    slugs = dict(db.session.execute(sa.select(Article.id, Article.slug)).all())

    chinese = search.search(index_dir, "MQTT 重连后数据重复", per_page=3)
    assert chinese.hits and slugs[chinese.hits[0].id] == "mqtt-duplicate-after-reconnect-zh"
    # A Chinese question finds both translations of the VPN article (the synonyms bridge the languages).
    tunnel = search.search(index_dir, "VPN 隧道断开", per_page=3)
    assert {slugs[hit.id] for hit in tunnel.hits[:2]} == {"ig500-vpn-dpd-timeout", "ig500-vpn-dpd-timeout-zh"}
    english = search.search(index_dir, "gateways offline after a proxy change", per_page=3)
    assert english.hits and slugs[english.hits[0].id] == "gateways-offline-behind-proxy-mqtt-8883"
    # The synonyms reached the index too: an English word finds the Chinese firmware article.
    firmware = search.search(index_dir, "firmware rollback", per_page=3)
    assert firmware.hits and slugs[firmware.hits[0].id] == "ig500-firmware-upgrade-3-2-zh"
    # Customers never see the staff-only runbooks.
    internal = set(db.session.scalars(sa.select(Article.slug).where(Article.visibility == "internal")))
    licence = search.search(index_dir, "licence new server", per_page=5)
    assert not {slugs[hit.id] for hit in licence.hits} & internal
    staff = search.search(index_dir, "licence new server", public_only=False, per_page=5)
    assert staff.hits and slugs[staff.hits[0].id] == "move-edgelink-manager-licence"

    # What a customer sees while typing a new ticket's subject on the portal.
    client.post("/login", data={"email": "zhang.min@hengtai.cn", "password": "customer-demo-1"})
    response = client.get("/kb/suggest", query_string={"subject": "APNs 证书过期"})
    assert response.status_code == 200
    assert "APNs 推送证书已过期" in response.get_data(as_text=True)


def test_seed_refuses_a_database_with_data_unless_asked_to_skip(cli):
    assert cli().exit_code == 0
    counts = count(User), count(Ticket), count(Message)

    again = cli()
    assert again.exit_code != 0
    assert "already holds accounts" in again.output

    skipped = cli("--if-empty")
    assert skipped.exit_code == 0
    assert "nothing was added" in skipped.output
    assert "admin@aftercare.example" in skipped.output and "http://127.0.0.1:5000" in skipped.output
    assert (count(User), count(Ticket), count(Message)) == counts


def test_if_empty_leaves_someone_elses_data_alone(cli):
    make_user("real.customer@example.com")
    result = cli("--if-empty")
    assert result.exit_code == 0
    assert "nothing was added" in result.output
    assert count(Ticket) == 0 and count(User) == 1


def test_seed_writes_the_same_data_every_time():
    def snapshot():
        tickets = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
        return (
            [
                (
                    t.subject,
                    t.kind,
                    t.status,
                    t.priority,
                    t.requester.email,
                    t.assignee.email if t.assignee else None,
                    t.created_at,
                    [(m.author.email, m.body, m.internal, m.created_at) for m in t.messages],
                )
                for t in tickets
            ]
            + [
                (a.slug, a.title, a.language, a.visibility, a.author.email, a.published_at, a.revision)
                for a in db.session.scalars(sa.select(Article).order_by(Article.id))
            ]
            + [
                (
                    link.ticket.subject,
                    link.ticket.created_at,
                    link.article.slug,
                    link.relation,
                    link.created_at,
                )
                for link in db.session.scalars(sa.select(TicketArticle).order_by(TicketArticle.id))
            ]
        )

    savepoint = db.session.begin_nested()
    demo.seed(now=NOW)
    first = snapshot()
    savepoint.rollback()
    assert count(Ticket) == 0

    demo.seed(now=NOW)
    assert snapshot() == first
