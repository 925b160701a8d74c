"""The PostgreSQL search backend (KB_SEARCH_BACKEND=postgres): its configuration, what it stores, how
it keeps its term statistics and state, how search degrades, and the pages and API that use it.

The judged relevance set and the common search behaviour run on both backends in
test_search_quality.py and test_indexing.py; these are what only this backend has. Except for the
configuration checks they need the --db=postgres run (CI's second run).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import create_app
from core.extensions import db
from kb import indexing, queries, search
from kb.search import pg_index
from kb.search.pg_tables import documents, state, terms
from tests.factories import make_ticket, make_user
from tests.kb import judged
from tests.kb.conftest import needs_postgres


@pytest.fixture
def postgres(request, app, monkeypatch) -> search.PostgresBackend:
    """The app searching with the PostgreSQL backend, on this test's transaction."""
    needs_postgres(request)
    monkeypatch.setitem(app.config, "KB_SEARCH_BACKEND", "postgres")
    return search.PostgresBackend(db.session)


def _ids(found) -> list[int]:
    return [hit.id for hit in found.hits]


def _doc(article_id: int, title: str, body: str = "", **fields) -> dict:
    return {"id": article_id, "title": title, "body": body, "tags": [], "language": "en", **fields}


# -- configuration (both runs) ----------------------------------------------------------------------


def test_choosing_postgres_on_sqlite_stops_the_start_with_a_clear_error(tmp_path, monkeypatch):
    sqlite = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x", "TESTING": True}
    with pytest.raises(RuntimeError, match="set DATABASE_URL to a PostgreSQL database"):
        create_app({**sqlite, "KB_SEARCH_BACKEND": "postgres"})
    monkeypatch.setenv("AFTERCARE_KB_SEARCH_BACKEND", "postgres")  # the environment says the same
    with pytest.raises(RuntimeError, match="AFTERCARE_KB_SEARCH_BACKEND"):
        create_app(sqlite)
    monkeypatch.setenv("AFTERCARE_KB_SEARCH_BACKEND", "elastic")
    with pytest.raises(RuntimeError, match="'whoosh' or 'postgres'"):
        create_app(sqlite)
    monkeypatch.delenv("AFTERCARE_KB_SEARCH_BACKEND")
    assert create_app(sqlite).config["KB_SEARCH_BACKEND"] == "whoosh"  # the embedded default


def test_the_configuration_picks_the_backend(app, monkeypatch):
    assert isinstance(search.backend(app.config, db.session), search.WhooshBackend)
    monkeypatch.setitem(app.config, "KB_SEARCH_BACKEND", "postgres")
    chosen = search.backend(app.config, db.session)
    assert isinstance(chosen, search.PostgresBackend) and chosen.name == "postgres"


# -- storage ------------------------------------------------------------------------------------------


def test_the_schema_has_a_weighted_tsvector_with_a_gin_index(postgres):
    column = db.session.execute(
        sa.text(
            "SELECT format_type(atttypid, atttypmod), attstorage FROM pg_attribute "
            "WHERE attrelid = 'kb_search_documents'::regclass AND attname = 'document'"
        )
    ).one()
    assert tuple(column) == ("tsvector", "m")  # kept in the row: ranking reads it for every match
    index = db.session.scalar(
        sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_kb_search_documents_document'")
    )
    assert "USING gin (document)" in index


def test_documents_hold_the_analysers_words_with_positions_and_field_weights(postgres):
    postgres.rebuild(
        [_doc(1, "APNs 证书过期", "Renew the certificates; see ERR_CONN_RESET.", tags=["iOS"], language="zh")]
    )
    stored = db.session.execute(sa.select(documents).where(documents.c.article_id == 1)).one()
    lexemes = dict(
        db.session.execute(
            sa.text(
                "SELECT lexeme, weights FROM unnest((SELECT document FROM kb_search_documents "
                "WHERE article_id = 1))"
            )
        ).all()
    )
    assert lexemes["apn"] == ["A"] and lexemes["证书"] == ["A"] and lexemes["过期"] == ["A"]
    assert lexemes["io"] == ["B"]  # tags; Porter stems "ios" as a plural
    assert lexemes["certif"] == ["D"]  # stemmed, as Whoosh indexes it
    assert {"err_conn_reset", "err", "conn", "reset"} <= set(lexemes)  # whole and in parts
    assert "the" not in lexemes  # stop words left out
    assert stored.words.split()[:3] == ["apn", "证书", "过期"]
    body = stored.body
    marks = [m.split(":", 2) for m in stored.marks.split()]
    assert all(body[int(start) : int(end)].lower().startswith(word[:4]) for start, end, word in marks)


def test_odd_documents_are_indexed_without_error(postgres):
    huge = " ".join(f"word{n}{'q' * 60}" for n in range(16_000))  # past the megabyte a tsvector holds
    postgres.rebuild(
        [
            _doc(1, "Null\x00byte", "Before\x00after and " + "x" * 3000),  # NUL; a word too long for a lexeme
            _doc(2, "Huge article", huge),
            _doc(3, "Empty", ""),
        ]
    )
    assert _ids(postgres.search("null byte")) == [1]
    assert _ids(postgres.search("word7" + "q" * 60)) == [2] and _ids(postgres.search("huge")) == [2]
    assert _ids(postgres.search("word15999" + "q" * 60)) == []  # past the megabyte: left out


def test_a_phrase_never_spans_two_fields(postgres):
    postgres.rebuild([_doc(1, "Printer offline", "Cable check."), _doc(2, "Printer", "Offline again.")])
    assert _ids(postgres.search('"offline cable"')) == []  # the title's last word, the body's first
    assert _ids(postgres.search('"printer offline"')) == [1]


def test_term_statistics_stay_exact_through_updates_and_removals(postgres):
    docs = [_doc(n, f"Printer {n}", f"paper {n} stuck") for n in range(1, 5)]
    postgres.rebuild(docs)
    postgres.update([_doc(2, "Scanner", "glass is dirty")], remove=[3])
    postgres.update([_doc(5, "Printer five", "paper stuck")])
    counted = dict(
        db.session.execute(sa.select(terms.c.term, terms.c.documents).where(terms.c.field == "index")).all()
    )
    assert counted["printer"] == 3 and counted["paper"] == 3 and counted["scanner"] == 1
    assert "3" not in counted  # the removed article's own word is gone
    expected = [d for d in docs if d["id"] not in (2, 3)] + [
        _doc(2, "Scanner", "glass is dirty"),
        _doc(5, "Printer five", "paper stuck"),
    ]
    postgres.rebuild(expected)
    recounted = dict(
        db.session.execute(sa.select(terms.c.term, terms.c.documents).where(terms.c.field == "index")).all()
    )
    assert recounted == counted
    assert postgres.document_count() == 4


def test_a_rebuild_leaves_unchanged_documents_alone(postgres):
    docs = [_doc(1, "Printer offline", "Check the cable."), _doc(2, "VPN drops", "Set keepalive.")]
    postgres.rebuild(docs)
    before = dict(db.session.execute(sa.text("SELECT article_id, ctid::text FROM kb_search_documents")).all())
    assert postgres.rebuild([docs[0], _doc(2, "VPN drops hourly", "Set keepalive.")]) == 2
    after = dict(db.session.execute(sa.text("SELECT article_id, ctid::text FROM kb_search_documents")).all())
    assert after[1] == before[1] and after[2] != before[2]
    assert postgres.rebuild([docs[0]]) == 1
    assert _ids(postgres.search("keepalive")) == []


def test_writers_take_turns_under_one_advisory_lock(postgres):
    postgres.update([_doc(1, "Printer")])
    held = db.session.scalar(
        sa.text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
            "AND granted AND ((classid::bigint << 32) | objid::bigint) = :key"
        ),
        {"key": pg_index.WRITERS_LOCK},
    )
    assert held == 1  # until the indexing job commits


def test_the_match_uses_the_gin_index(postgres):
    postgres.rebuild(judged.documents())
    statements = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        postgres.search("APNs 证书过期", public_only=False)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    sql, params = next((s, p) for s, p in statements if "ts_rank" in s)
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(row[0] for row in db.session.connection().exec_driver_sql("EXPLAIN " + sql, params))
    assert "Bitmap Index Scan on ix_kb_search_documents_document" in plan


# -- state, synonyms, corrections ---------------------------------------------------------------------


def test_an_index_never_built_is_unavailable_and_the_job_builds_it(postgres, make_article, editor):
    article = make_article(title="EdgeVPN drops every hour", body="Set the keepalive to 20 s.")
    db.session.commit()
    with pytest.raises(search.IndexUnavailable):
        postgres.search("keepalive")
    assert not postgres.is_healthy() and postgres.document_count() == 0
    found = queries.search_articles("keepalive", viewer=editor)
    assert found.degraded and _ids(found) == [article.id]  # the database answers meanwhile
    assert indexing.drain() == 1
    assert postgres.is_healthy()
    found = queries.search_articles("keepalive", viewer=editor)
    assert not found.degraded and _ids(found) == [article.id]


def test_a_requested_rebuild_is_done_by_the_job(postgres, make_article):
    make_article(title="Printer offline", body="Check the cable.")
    db.session.commit()
    indexing.drain()
    postgres.request_rebuild()
    db.session.commit()
    assert not postgres.is_healthy()
    assert postgres.search("printer").hits  # searching goes on meanwhile
    assert indexing.drain() == 1 and postgres.is_healthy()


def test_a_failing_search_degrades_without_spoiling_the_transaction(postgres, make_article, editor):
    article = make_article(title="Printer offline", body="Check the cable.")
    db.session.commit()
    indexing.drain()
    db.session.execute(sa.text("ALTER TABLE kb_search_terms RENAME TO kb_search_terms_gone"))
    found = queries.search_articles("printer", viewer=editor)
    assert found.degraded and _ids(found) == [article.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(state)) == 1  # still usable


def test_synonyms_live_in_the_database_for_every_machine(postgres):
    postgres.rebuild([_doc(1, "打印机脱机无法打印", "检查网线。", language="zh")])
    assert _ids(postgres.search("printer offline")) == []
    postgres.write_synonyms([["打印机", "printer"], ["脱机", "offline"]])
    assert postgres.stored_synonyms() == [["打印机", "printer"], ["脱机", "offline"]]
    assert _ids(postgres.search("printer offline")) == [1]
    postgres.write_synonyms([])
    assert _ids(postgres.search("printer offline")) == []


def test_corrections_learn_new_words_after_an_update(postgres):
    postgres.rebuild([_doc(1, "Printer offline", "Check the cable.")])
    assert postgres.search("firmwere").did_you_mean is None
    postgres.update([_doc(2, "Firmware rollback", "Install the previous firmware.")])
    results = postgres.search("firmwere")
    assert results.did_you_mean == "firmware" and _ids(results) == [2]


def test_excluded_words_and_filters(postgres):
    postgres.rebuild(
        [
            _doc(1, "Certificate expired", "APNs push.", product="PushKit"),
            _doc(2, "Certificate renewal", "TLS for the gateway.", product="EdgeVPN"),
            _doc(3, "证书过期", "证书。", language="zh", visibility="internal"),
        ]
    )
    assert _ids(postgres.search("certificate -apns")) == [2]
    assert _ids(postgres.search("certificate", product="EdgeVPN")) == [2]
    assert _ids(postgres.search("证书", public_only=False, language="zh")) == [3]
    assert _ids(postgres.search("证书")) == []  # internal


# -- the pages and the API on this backend -------------------------------------------------------------


def test_the_search_page_suggestions_panel_and_api_use_the_postgres_index(
    postgres, client, login, api, make_article, editor
):
    article = make_article(title="APNs certificate expired", body="Renew the APNs certificate in the portal.")
    make_article(title="Maintenance window for upgrades", body="Plan a maintenance window.")
    db.session.commit()
    indexing.drain()
    page = client.get("/kb?q=certificate")
    assert page.status_code == 200 and '<mark class="hl t0">certificate</mark>' in page.text
    assert "being rebuilt" not in page.text
    assert 'data-testid="did-you-mean"' in client.get("/kb?q=maintanance").text
    response = api(make_user()).get("/kb/search?q=APNs%20certificate&limit=5")
    results = response.json["results"]
    assert response.status_code == 200 and results[0]["id"] == article.id
    assert {"id", "title", "score", "snippet"} <= set(results[0]) and "<mark" in results[0]["snippet"]
    login(make_user())
    fragment = client.get(
        "/kb/suggest",
        query_string={"subject": "apns certificate", "body": ""},
        headers={"HX-Request": "true"},
    )
    assert "APNs certificate expired" in fragment.text
    login(editor)
    ticket = make_ticket(subject="Push stopped")
    panel = client.get(f"/kb/tickets/{ticket.number}/search?q=certificate", headers={"HX-Request": "true"})
    assert "APNs certificate expired" in panel.text
