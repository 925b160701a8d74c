"""Hypothesis strategies that turn real mail into hostile mail, for the parser and ingestion fuzz tests.

Each mutation imitates something production mail does: bits flipped in transit, a message cut short,
headers repeated by a broken relay, MIME boundaries that do not close, charsets nobody knows, headers
of hundreds of kilobytes, and parts nested deeper than any client writes.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st

from tests.support.mail.test_corpus import CORPUS

FIXTURES = Path(__file__).parent / "fixtures"
MESSAGES = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml")) + sorted(CORPUS.glob("*.eml"))]

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*", re.M)
_BOUNDARY = re.compile(rb'boundary\s*=\s*"?([^";\r\n]+)"?', re.I)
_CHARSET = re.compile(rb'(charset\s*=\s*"?)([^";\s]*)', re.I)
_ENCODED_WORD_CHARSET = re.compile(rb"=\?([^?\s]*)\?")
_CTE = re.compile(rb"(Content-Transfer-Encoding:[ \t]*)([^\r\n]*)", re.I)

BOGUS_CHARSETS = [
    b"",
    b"x-unknown",
    b"utf-7",
    b"utf-16",
    b"utf-32-be",
    b"zlib",
    b"base64",
    b"rot13",
    b"idna",
    b"punycode",
    b"unicode_escape",
    b"raw-unicode-escape",
    b"uu",
    b"hex",
    b"bz2",
    b"mbcs",
    b"cp65001",
    b"iso-2022-jp-2004",
    b"gb2312\x00",
    b"utf-8' or '1'='1",
    b"\xff\xfe",
    b"x" * 300,
]
BOGUS_ENCODINGS = [b"base64", b"quoted-printable", b"x-uuencode", b"uuencode", b"8bit", b"binary", b"zz", b""]


def header_block(data: bytes) -> bytes:
    end = min((i for i in (data.find(b"\n\n"), data.find(b"\n\r\n")) if i >= 0), default=len(data))
    return data[:end]


# -- mutations: (draw, data) -> data -------------------------------------------------------------------


def flip_bits(draw, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 16))):
        if out:
            position = draw(st.integers(0, len(out) - 1))
            out[position] ^= 1 << draw(st.integers(0, 7))
    return bytes(out)


def truncate(draw, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def duplicate_header(draw, data: bytes) -> bytes:
    lines = list(_HEADER_LINE.finditer(header_block(data)))
    if not lines:
        return data
    line = draw(st.sampled_from(lines))
    copies = line.group(0) * draw(st.integers(1, 200))
    where = draw(st.sampled_from([line.start(), line.end(), 0]))
    return data[:where] + copies + data[where:]


def break_boundaries(draw, data: bytes) -> bytes:
    found = _BOUNDARY.search(data)
    if not found:
        return data
    boundary = found.group(1)
    how = draw(st.sampled_from(["unclosed", "renamed", "empty", "prefix", "stray", "no_parts"]))
    if how == "unclosed":
        return data.replace(b"--" + boundary + b"--", b"")
    if how == "renamed":
        return data[: found.start(1)] + b"other" + boundary[::-1] + data[found.end(1) :]
    if how == "empty":
        return data[: found.start()] + b'boundary=""' + data[found.end() :]
    if how == "prefix":  # a boundary that is a prefix of the real one: every line starts with it
        return data[: found.start(1)] + boundary[: max(1, len(boundary) // 3)] + data[found.end(1) :]
    if how == "stray":
        position = draw(st.integers(len(header_block(data)), len(data)))
        return data[:position] + b"\r\n--" + boundary + b"\r\n" + data[position:]
    return data.replace(b"--" + boundary, b"")


def bogus_charsets(draw, data: bytes) -> bytes:
    name = draw(st.sampled_from(BOGUS_CHARSETS))
    data = _CHARSET.sub(lambda m: m.group(1) + name, data)
    return _ENCODED_WORD_CHARSET.sub(lambda m: b"=?" + name.replace(b"?", b"") + b"?", data)


def bogus_encodings(draw, data: bytes) -> bytes:
    name = draw(st.sampled_from(BOGUS_ENCODINGS))
    return _CTE.sub(lambda m: m.group(1) + name, data)


def huge_header(draw, data: bytes) -> bytes:
    size = draw(st.integers(1_000, 300_000))
    kind = draw(st.sampled_from(["subject", "words", "to", "references", "params", "folded", "filename"]))
    if kind == "subject":
        header = b"Subject: " + b"a" * size
    elif kind == "words":
        header = b"Subject: " + b"=?utf-8?B?5L2g5aW9?= " * (size // 20)
    elif kind == "to":
        header = b"To: " + b", ".join(b"user%d@example.com" % n for n in range(size // 20))
    elif kind == "references":
        header = b"References: " + b" ".join(b"<id%d@example.com>" % n for n in range(size // 18))
    elif kind == "params":
        header = b"Content-Type: text/plain; " + b"; ".join(b"p%d=v" % n for n in range(size // 8))
    elif kind == "folded":
        header = b"Subject: start" + b"\r\n x" * (size // 4)
    else:
        parts = b"; ".join(b"filename*%d*=utf-8''%%E4%%BD" % n for n in range(size // 30))
        header = b"Content-Disposition: attachment; " + parts
    return header + b"\r\n" + data


def nest(draw, data: bytes) -> bytes:
    """Wrap the message in parts nested deeper than MIME_DEPTH (support/mail/mime.py) and beyond."""
    depth = draw(st.integers(1, 400))
    kind = draw(st.sampled_from(["multipart", "rfc822", "mixed"]))
    for level in range(depth):
        use_rfc822 = kind == "rfc822" or (kind == "mixed" and level % 2)
        if use_rfc822:
            header = b"From: Level %d <l%d@example.com>\r\n" % (level, level)
            data = header + b"Content-Type: message/rfc822\r\n\r\n" + data
        else:
            boundary = b"level-%d" % level
            data = (
                b'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n--%s\r\n' % (boundary, boundary)
                + data
                + b"\r\n--%s--\r\n" % boundary
            )
    return b"From: Outer <outer@example.com>\r\nSubject: nested\r\nMIME-Version: 1.0\r\n" + data


def splice_bytes(draw, data: bytes) -> bytes:
    position = draw(st.integers(0, len(data)))
    return data[:position] + draw(st.binary(min_size=1, max_size=64)) + data[position:]


MUTATIONS = [
    flip_bits,
    truncate,
    duplicate_header,
    break_boundaries,
    bogus_charsets,
    bogus_encodings,
    huge_header,
    nest,
    splice_bytes,
]


@st.composite
def hostile_mail(draw, max_mutations: int = 3) -> bytes:
    """A real message with one to `max_mutations` mutations applied in turn."""
    data = draw(st.sampled_from(MESSAGES))
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=max_mutations)):
        data = mutation(draw, data)
    return data
