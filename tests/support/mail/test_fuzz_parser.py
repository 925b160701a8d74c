"""Fuzzing the mail parser with mutations of real mail: `parse_message` and `flask mail parse` never
fail, whatever arrives; what they return can always be stored and printed.

tests/support/mail/test_properties.py feeds random bytes and byte-level edits; these tests break the
structure on purpose (see mutations.py). Derandomised: CI runs the same examples every time.
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.mail.cli import summary
from support.mail.parse import parse_message
from tests.support.mail.mutations import MESSAGES, MUTATIONS, hostile_mail

FUZZ = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SECONDS_PER_MAIL = 20  # far above what any of them takes; a parser that loops or goes quadratic fails


def check(raw: bytes) -> None:
    started = time.monotonic()
    mail = parse_message(raw)
    assert time.monotonic() - started < SECONDS_PER_MAIL
    line = json.dumps(summary("fuzz.eml", mail), ensure_ascii=False)
    line.encode("utf-8")  # no lone surrogates: PostgreSQL and the terminal both need real text
    for text in (mail.subject, mail.from_name, mail.from_email, mail.body, mail.reply, mail.html or ""):
        assert "\x00" not in text
    for attachment in mail.attachments:
        assert attachment.filename and attachment.size == len(attachment.data)
    assert mail.date is None or mail.date.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
@FUZZ
@given(data=st.data())
def test_each_mutation_of_real_mail_parses(mutation, data):
    raw = data.draw(st.sampled_from(MESSAGES))
    check(mutation(data.draw, raw))


@FUZZ
@given(hostile_mail())
def test_mutations_combined_parse(raw):
    check(raw)


@pytest.mark.parametrize("depth", [25, 200, 2000])
@pytest.mark.parametrize("kind", ["multipart", "rfc822"])
def test_nesting_far_beyond_any_client_parses(kind, depth):
    inner = b"From: a@example.com\r\nSubject: deep\r\n\r\nhello\r\n"
    for level in range(depth):
        if kind == "rfc822":
            inner = b"Content-Type: message/rfc822\r\n\r\n" + inner
        else:
            inner = b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n%s\r\n--b%d--\r\n' % (
                level,
                level,
                inner,
                level,
            )
    check(b"From: outer@example.com\r\nSubject: outer\r\n" + inner)
