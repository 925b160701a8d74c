"""parse_message never raises, and what it returns can always be stored and printed."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.mail.cli import summary
from support.mail.parse import parse_message
from tests.support.mail.test_corpus import CORPUS

FIXTURES = Path(__file__).parent / "fixtures"
MESSAGES = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml")) + sorted(CORPUS.glob("*.eml"))]
# Fragments that steer mutations into the parser's corners: boundaries, encoded-words, escapes.
TOKENS = [
    b"\r\n",
    b"\n",
    b"\r\n\r\n",
    b";",
    b'"',
    b"=?",
    b"?=",
    b"=?utf-8?B?",
    b"=?gb2312?Q?",
    b"--",
    b'Content-Type: multipart/mixed; boundary="b"\r\n',
    b"Content-Type: message/rfc822\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"charset=zlib",
    b"filename*0*=utf-8''%E4",
    b"\x1b$B",
    b"\x1b(I",
    b"\xff\xfe",
    b"\x00",
    b"\t",
    b":",
    b"<",
    b">",
]
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def check(raw: bytes) -> None:
    mail = parse_message(raw)
    # Everything must be storable (PostgreSQL refuses NUL and lone surrogates) and printable as JSON.
    line = json.dumps(summary("x", mail), ensure_ascii=False)
    line.encode("utf-8")
    for text in (mail.subject, mail.from_name, mail.body, mail.reply, mail.html or ""):
        assert "\x00" not in text
    for attachment in mail.attachments:
        assert attachment.size == len(attachment.data) and attachment.filename
    assert mail.date is None or mail.date.utcoffset().total_seconds() == 0


@PROPERTY_SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes(raw):
    check(raw)


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(MESSAGES)))
    for _ in range(draw(st.integers(1, 12))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "flip", "duplicate"]))
        if action == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif action == "insert":
            data[position:position] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8))
        elif action == "flip" and data:
            data[min(position, len(data) - 1)] = draw(st.integers(0, 255))
        else:
            start = draw(st.integers(0, len(data)))
            data[position:position] = data[start : start + draw(st.integers(1, 300))]
    return bytes(data)


@PROPERTY_SETTINGS
@given(mutated())
def test_mutated_corpus_messages(raw):
    check(raw)


@PROPERTY_SETTINGS
@given(st.sampled_from(MESSAGES), st.integers(0, 10_000))
def test_truncated_corpus_messages(raw, cut):
    check(raw[:cut])
