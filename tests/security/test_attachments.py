"""Attachments: served only as downloads with a neutral type and a clean name; uploads have their names
cleaned and their sizes limited."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from werkzeug.http import parse_options_header

from core.extensions import db
from support.attachments import FILENAME_MAX, Upload, safe_filename
from support.models import Attachment, Ticket
from tests.factories import make_ticket, make_user


def download(client, attachment):
    response = client.get(f"/attachments/{attachment.id}/{attachment.filename}")
    response.get_data()
    response.close()
    return response


@pytest.fixture
def any_type(app, monkeypatch):
    """Mail brings files of every type; an empty allow-list lets the portal take them too."""
    monkeypatch.setitem(app.config, "ATTACHMENT_EXTENSIONS", [])


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("report.html", "text/html", b"<script>alert(document.cookie)</script>"),
        ("logo.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("notes.txt", "text/plain", b"<html><script>alert(1)</script>"),  # sniffable as HTML
        ("photo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_every_file_is_a_download_with_a_neutral_type(client, login, any_type, name, content_type, data):
    user = make_user()
    ticket = make_ticket(requester=user, attachments=[Upload(name, data, content_type)])
    login(user)
    response = download(client, ticket.messages[0].attachments[0])
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Type"] == "application/octet-stream"
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert (disposition, options["filename"]) == ("attachment", name)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "no-cache" in response.headers["Cache-Control"] or "max-age=0" in response.headers["Cache-Control"]


def test_the_api_serves_files_the_same_way(api, any_type):
    user = make_user()
    ticket = make_ticket(requester=user, attachments=[Upload("report.html", b"<b>x</b>", "text/html")])
    attachment = ticket.messages[0].attachments[0]
    response = api(user).get(f"/attachments/{attachment.id}/report.html")
    response.close()
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert parse_options_header(response.headers["Content-Disposition"])[0] == "attachment"
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "ascii_fallback"),
    [("报告 2024.pdf", " 2024.pdf"), ("Übersicht.xlsx", "Ubersicht.xlsx"), ("ログ.txt", ".txt")],
)
def test_a_name_that_is_not_ascii_is_sent_rfc_5987_encoded(client, login, name, ascii_fallback):
    user = make_user()
    ticket = make_ticket(requester=user, attachments=[Upload(name, b"x")])
    login(user)
    header = download(client, ticket.messages[0].attachments[0]).headers["Content-Disposition"]
    _disposition, options = parse_options_header(header)
    assert "filename*=UTF-8''" in header and header.isascii()
    assert options["filename*"] == name if "filename*" in options else options["filename"] == name
    assert ascii_fallback in header


def test_a_name_with_quotes_and_separators_stays_one_name_in_the_header(client, login):
    user = make_user()
    ticket = make_ticket(requester=user, attachments=[Upload('a";b=c.txt', b"x")])
    login(user)
    header = download(client, ticket.messages[0].attachments[0]).headers["Content-Disposition"]
    assert parse_options_header(header)[1]["filename"] == "a_;b=c.txt"


NAMES = [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
    ("C:\\Users\\li\\Desktop\\log.txt", "log.txt"),
    ("re\x00po\x1brt\r\n.txt", "report.txt"),
    ("invoice\u202etxt.pdf", "invoicetxt.pdf"),  # a right-to-left override would show "fdp.txt"
    ("line\u2028break.txt", "linebreak.txt"),
    ('<img src=x onerror="alert(1)">.txt', "_img src=x onerror=_alert(1)__.txt"),
    ("  ..hidden.txt. . ", "hidden.txt"),
    ("...", "attachment"),
    ("a" * 300 + ".txt", "a" * (FILENAME_MAX - 4) + ".txt"),
    ("报" * 300 + ".pdf", "报" * (FILENAME_MAX - 4) + ".pdf"),
    ("b" * 10 + "." + "c" * 300, ("b" * 10 + "." + "c" * 300)[:FILENAME_MAX]),
]


@pytest.mark.parametrize(("sent", "stored"), NAMES)
def test_names_are_cleaned(sent, stored):
    assert safe_filename(sent) == stored
    assert safe_filename(stored) == stored  # cleaning is stable


# What a browser can put in a multipart header (the test client sends quotes and line breaks raw).
@pytest.mark.parametrize(("sent", "stored"), [NAMES[0], NAMES[4], NAMES[7], NAMES[9], NAMES[10]])
def test_the_portal_stores_cleaned_names(client, login, any_type, sent, stored):
    user = make_user()
    login(user)
    data = {
        "kind": "question",
        "priority": "normal",
        "subject": "Files",
        "body": "See the file.",
        "attachments": (io.BytesIO(b"content"), sent),
    }
    response = client.post("/portal/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    names = db.session.scalars(sa.select(Attachment.filename).order_by(Attachment.id.desc()).limit(1)).all()
    assert names == [stored]


def test_a_file_over_the_limit_is_refused_next_to_the_field_and_nothing_is_filed(
    client, login, app, monkeypatch
):
    # Small enough that the test client keeps the body in memory (it leaks the temporary file otherwise).
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 100 * 1024)
    login(make_user())
    before = db.session.scalar(sa.select(sa.func.count(Ticket.id)))
    data = {
        "kind": "question",
        "subject": "Big log",
        "body": "Attached.",
        "attachments": (io.BytesIO(b"x" * (100 * 1024 + 1)), "big.log"),
    }
    response = client.post("/portal/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "big.log is too large" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == before


def test_a_request_over_the_total_limit_gets_a_413_page(client, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    login(make_user())
    data = {
        "kind": "question",
        "subject": "Huge",
        "body": "x",
        "attachments": (io.BytesIO(b"x" * 100_000), "a.log"),
    }
    response = client.post("/portal/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Attach smaller files" in response.get_data(as_text=True)


def test_a_file_type_outside_the_list_is_refused(client, login):
    login(make_user())
    data = {
        "kind": "question",
        "subject": "Page",
        "body": "x",
        "attachments": (io.BytesIO(b"<b>"), "page.html"),
    }
    response = client.post("/portal/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "files of this type are not accepted" in response.get_data(as_text=True)
