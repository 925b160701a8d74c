"""`parse_message(raw bytes) -> ParsedMail`: everything ingestion needs from one RFC 5322 message.

The stdlib parser (policy.default) finds the MIME structure; headers, charsets, HTML and the reply
are decoded by the sibling modules because real mail breaks the stdlib's assumptions (mime.py says
which parts become the body and which attachments). Nothing here raises on bad input and nothing
is written anywhere: the raw bytes stay with the caller, who keeps them for re-processing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.feedparser import BytesFeedParser
from email.message import Message
from email.policy import EmailPolicy
from email.utils import parsedate_to_datetime

from support.mail import headers, html, noise
from support.mail.headers import raw_value, raw_values
from support.mail.mime import Attachment, Walker, body_piece, clean_text
from support.mail.reply import extract_reply
from support.services import BODY_MAX, SUBJECT_MAX

__all__ = ["Attachment", "ParsedMail", "parse_message", "ticket_subject"]

_REPLY_SCAN_MAX = 2 * BODY_MAX
_FIELD = re.compile(rb"[!-9;-~]+:")
_SPACED_NAME = re.compile(rb"([!-9;-~]+)[ \t]+(?=:)")


@dataclass
class ParsedMail:
    """What one message says. Addresses are lower-cased; Message-IDs come without angle brackets.

    `body` is all the readable text (forwarded messages included); `reply` is only the new text and
    may be empty when a mail is nothing but a forward. `charset_problems` describes every guess and
    every lossy decode, for the admin who wonders why a mail looks wrong.
    """

    subject: str = ""
    from_email: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    body: str = ""
    reply: str = ""
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    auto_reply: bool = False
    bounce: bool = False
    charset_problems: list[str] = field(default_factory=list)
    date: datetime | None = None


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one raw message; never raises, never writes."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    raw = bytes(raw)
    problems: list[str] = []
    message = _parse_bytes(raw, problems)
    if message is None:
        return ParsedMail(charset_problems=problems)
    mail = ParsedMail(charset_problems=problems)
    _read_headers(message, mail, problems)
    walker = Walker(problems)
    blocks = walker.walk(message, "1", 0)
    mail.attachments = walker.attachments
    mail.body = clean_text("\n\n".join(body_piece(b) for b in blocks if body_piece(b).strip()))
    mail.reply = _reply("\n\n".join(b.text for b in blocks if b.text.strip()))
    if not mail.reply:
        mail.reply = _reply("\n\n".join(b.extra for b in blocks if b.extra.strip()))
    sanitised = [clean_text(html.sanitise(b.html)) for b in blocks if b.html.strip()]
    mail.html = "\n".join(s for s in sanitised if s) or None
    first = _first_values(message)
    mail.auto_reply = noise.is_auto_reply(first, mail.subject) or walker.receipt
    mail.bounce = noise.is_bounce(first, mail.subject, mail.from_email, walker.dsn)
    return mail


def _reply(text: str) -> str:
    # The reply is the new text at the top; a ticket keeps at most BODY_MAX characters of it, so the
    # history markers are looked for in the head only (every line of a 25 MB mail took 15 seconds).
    return clean_text(extract_reply(text[:_REPLY_SCAN_MAX]))


def ticket_subject(subject: str) -> str:
    """The subject cut to what a ticket holds (support.services.SUBJECT_MAX), marked with "..."."""
    subject = " ".join(subject.split())
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 3] + "..."


def _repair_headers(raw: bytes) -> bytes:
    """Fold header lines that lost their indentation back into the header they continue.

    Careless software breaks long Subject or Content-Type lines without the leading space; the
    stdlib then ends the header block there and the rest of the headers (a boundary, say) land in
    the body. A line with no field name cannot start a header, so it can only be a continuation.
    """
    end = min((i for i in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if i >= 0), default=len(raw))
    lines = raw[:end].split(b"\n")
    repaired = False
    for index in range(1, len(lines)):
        line = lines[index]
        if line[:1] in (b" ", b"\t") or not line.strip():
            continue
        if match := _SPACED_NAME.match(line):
            lines[index] = match.group(1) + line[match.end() :]
            repaired = True
        elif not _FIELD.match(line):
            lines[index] = b" " + line
            repaired = True
    if not repaired:
        return raw  # no copy of a message that may be 25 MB
    return b"".join((b"\n".join(lines), memoryview(raw)[end:]))


class _ParsedOnce(EmailPolicy):
    """policy.default, but a header value is parsed once rather than on every read.

    The feedparser asks each part for its Content-Type over and over while it walks the structure,
    and every ask re-ran the structured header parser; the header objects are immutable, so the
    same value can be handed out again. Long values (References, hostile input) are not kept.
    """

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return super().header_fetch_parse(name, value)
        if len(value) > _STRUCTURED_MAX and name.lower() in _STRUCTURED:
            # The stdlib's parameter parser is quadratic: a 300 KB Content-Type took minutes. What
            # the parser needs (the type, the boundary) comes first; our own reading of these headers
            # (headers.parameters) reads the raw value.
            value = value[:_STRUCTURED_MAX]
        if len(value) > _CACHED_HEADER_MAX:
            return super().header_fetch_parse(name, value)
        return _parsed_header(name, value)


_CACHED_HEADER_MAX = 300
_STRUCTURED_MAX = 8192
_STRUCTURED = {"content-type", "content-disposition", "content-transfer-encoding"}


@functools.lru_cache(maxsize=1024)
def _parsed_header(name: str, value: str):
    return policy.default.header_fetch_parse(name, value)


_PARSED_ONCE = _ParsedOnce()


def _parse_bytes(raw: bytes, problems: list[str]) -> Message | None:
    raw = _repair_headers(raw)
    for chosen in (_PARSED_ONCE, policy.compat32):
        try:
            return _feed(raw, chosen)
        except Exception as exc:  # the stdlib parser is not meant for hostile input
            kind = "EmailPolicy" if chosen is _PARSED_ONCE else chosen.__class__.__name__
            problems.append(f"message: the {kind} parser failed ({exc!r})")
    return None


def _feed(raw: bytes, chosen: EmailPolicy) -> Message:
    """What BytesParser.parsebytes does, without its copies: it decodes the whole message into one
    string and reads that back through a StringIO (four bytes a character), which took eight times
    the size of a 25 MB message at its peak. The feed parser takes the bytes a slice at a time."""
    parser = BytesFeedParser(policy=chosen)
    view = memoryview(raw)
    for start in range(0, len(raw), _FEED_CHUNK):
        parser.feed(bytes(view[start : start + _FEED_CHUNK]))
    return parser.close()


_FEED_CHUNK = 64 * 1024


def _read_headers(message: Message, mail: ParsedMail, problems: list[str]) -> None:
    mail.subject = clean_text(headers.decode_header(raw_value(message, "subject"), problems, "subject"))
    senders = headers.addresses(
        raw_values(message, "from") or raw_values(message, "sender"), problems, "from"
    )
    if senders:
        mail.from_name, mail.from_email = clean_text(senders[0][0]), senders[0][1]
    for name in ("to", "cc", "reply_to"):
        found = headers.addresses(raw_values(message, name.replace("_", "-")), problems, name)
        setattr(mail, name, list(dict.fromkeys(address for _, address in found)))
    ids = headers.message_ids(raw_values(message, "message-id"))
    mail.message_id = ids[0] if ids else None
    replied = headers.message_ids(raw_values(message, "in-reply-to"))
    mail.in_reply_to = replied[0] if replied else None
    mail.references = headers.message_ids(raw_values(message, "references"))
    mail.date = _date(raw_value(message, "date"))


def _date(raw: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(headers.unfold(raw).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # "-0000" means the zone is unknown; UTC is the guess
    try:
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _first_values(message: Message) -> dict[str, str]:
    first: dict[str, str] = {}
    for key, value in message.raw_items():
        first.setdefault(
            key.lower(), headers.unfold(str(value).encode("utf-8", "surrogateescape").decode("latin-1"))
        )
    return first
