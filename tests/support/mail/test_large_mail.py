"""A 25 MB mail is taken within the configured limits, in bounded time and memory; a larger one than
MAX_CONTENT_LENGTH is refused cleanly at the door (LMTP 552, HTTP 413 with a JSON body).

The limits (core/config.py): MAX_CONTENT_LENGTH, 30 MB, is the largest mail the LMTP receiver and
POST /api/v1/mail/inbound take; ATTACHMENT_MAX_BYTES, 10 MB, is the largest file a ticket keeps. A
larger file is left out with a note in the message (it stays in the raw mail, kept whole).
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import time
import tracemalloc
from email import policy
from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from core.extensions import db
from support.attachments import path_of
from support.mail.models import InboundMail
from support.models import Ticket

MB = 1024 * 1024
SECONDS = 60  # a generous bound for a 2-core machine, with tracemalloc slowing the parser down
MEMORY_FACTOR = 6  # peak Python memory of the whole ingestion, in message sizes (it was 8.7 once)


def big_mail(*, message_id: str, files=(), text: str = "The dump from last night's crash.\n") -> bytes:
    mail = EmailMessage(policy=policy.SMTP)
    mail["From"] = "Tom Baker <tom.baker@northwind.example>"
    mail["To"] = "support@aftercare.local"
    mail["Subject"] = "Crash dump"
    mail["Message-ID"] = f"<{message_id}>"
    mail.set_content(text)
    for name, data in files:
        mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return mail.as_bytes()


@pytest.fixture(scope="module")
def files():
    """Random (incompressible) files: one over the attachment limit, one under it."""
    return {"core.dump": os.urandom(11 * MB), "trace.zip": os.urandom(7 * MB)}


@pytest.fixture(scope="module")
def mail_25mb(files):
    raw = big_mail(message_id="big-1@northwind.example", files=list(files.items()))
    assert 24 * MB < len(raw) <= 25 * MB
    return raw


def ticket_of(result_ticket: int) -> Ticket:
    return db.session.get(Ticket, result_ticket)


def test_a_25mb_mail_through_the_pipe_is_stored_in_bounded_time_and_memory(app, tmp_path, files, mail_25mb):
    path = tmp_path / "big.eml"
    path.write_bytes(mail_25mb)
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = app.test_cli_runner().invoke(args=["mail", "ingest", str(path)])
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"25 MB mail: {elapsed:.1f} s, peak {peak / MB:.0f} MB = {peak / len(mail_25mb):.1f}x its size")
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert line["action"] == "created"
    assert elapsed < SECONDS
    assert peak < MEMORY_FACTOR * len(mail_25mb)

    message = ticket_of(line["ticket"]).messages[0]
    assert message.body.startswith("The dump from last night's crash.")
    assert "[core.dump was not kept: it is larger than the attachment limit.]" in message.body
    [kept] = message.attachments
    assert kept.filename == "trace.zip" and kept.size == len(files["trace.zip"])
    assert path_of(kept).read_bytes() == files["trace.zip"]
    row = db.session.get(InboundMail, line["inbound_id"])
    assert hashlib.sha256(row.raw).digest() == hashlib.sha256(mail_25mb).digest()  # the dump is in there


def test_a_25mb_text_mail_over_http_is_cut_to_what_a_ticket_holds(api, app):
    from tests.factories import make_engineer

    line = "The controller logged E-42 again and restarted the print spooler.\n"
    raw = big_mail(message_id="big-text@northwind.example", text=line * (24 * MB // len(line)))
    assert len(raw) > 24 * MB
    started = time.monotonic()
    response = api(make_engineer()).post(
        "/mail/inbound", data=raw, headers={"Content-Type": "message/rfc822"}
    )
    assert time.monotonic() - started < SECONDS
    assert response.status_code == 200, response.get_json()
    body = ticket_of(response.get_json()["ticket"]).messages[0].body
    assert body.startswith(line.strip()) and body.endswith("[The rest of this long mail was cut.]")


def deliver(server, raw: bytes) -> dict:
    with smtplib.LMTP(server.hostname, server.port, timeout=60) as client:
        return client.sendmail("tom.baker@northwind.example", ["support@aftercare.local"], raw)


def test_a_25mb_mail_over_lmtp_is_accepted_and_a_larger_one_refused_with_552(receiver, mail_25mb):
    assert deliver(receiver, mail_25mb) == {}
    assert db.session.scalar(sa.select(InboundMail.outcome)) == "created"

    too_large = mail_25mb + b"x" * (31 * MB - len(mail_25mb))
    with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:
        deliver(receiver, too_large)
    assert refused.value.smtp_code == 552
    assert db.session.scalar(sa.select(sa.func.count(InboundMail.id))) == 1


def test_a_mail_larger_than_the_limit_over_http_is_a_413_with_a_json_body(api, app, mail_25mb):
    from tests.factories import make_engineer

    too_large = mail_25mb + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1 - len(mail_25mb))
    response = api(make_engineer()).post(
        "/mail/inbound", data=too_large, headers={"Content-Type": "message/rfc822"}
    )
    assert response.status_code == 413
    assert response.is_json and response.get_json()["code"] == 413
    assert db.session.scalar(sa.select(sa.func.count(InboundMail.id))) == 0
