"""Walking the MIME tree of a message: which parts are the body, which are attachments.

How the tree maps onto the result:
- multipart/alternative: the text/plain part is the body and the HTML part is kept (sanitised) for
  display. When the HTML says something the plain part does not, its text is appended to the body.
- multipart/related: the root part is the body; the other parts are inline attachments (Content-ID).
- multipart/signed: the signed part is the body; the signature is an attachment.
- message/rfc822 (a forward as attachment): kept whole as a `.eml` attachment, and its readable text
  is appended to the body under a "Forwarded message" line, so the body shows what was forwarded
  while the reply stops before it. Its own attachments stay inside the `.eml`.
- multipart/report with a delivery-status part: the explanation is the body, the rest attachments.
- Everything else that is not inline text (winmail.dat, PGP/S-MIME signatures, files) is an attachment.
"""

from __future__ import annotations

import binascii
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO

from support.attachments import safe_filename
from support.mail import charsets, headers, html
from support.mail.headers import raw_value, raw_values

MAX_DEPTH = 20  # MIME nesting deeper than any client produces is an attack or a loop
HTML_MAX = 2_000_000  # characters of one HTML part that are read (support.services.BODY_MAX is 100,000)
_TEXT_TYPES = {"text/plain", "text/html", "text/enriched", "text/richtext"}
_CONTENT_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")
_DEFAULT_NAMES = {
    "application/ms-tnef": "winmail.dat",
    "application/pgp-signature": "signature.asc",
    "application/pkcs7-signature": "smime.p7s",
    "application/x-pkcs7-signature": "smime.p7s",
    "message/delivery-status": "delivery-status.txt",
    "message/global-delivery-status": "delivery-status.txt",
    "text/rfc822-headers": "headers.txt",
    "message/disposition-notification": "disposition-notification.txt",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Attachment:
    """A file that came with the message; `content_id` (no angle brackets) for inline images."""

    filename: str
    content_type: str
    size: int
    data: bytes = field(repr=False)
    content_id: str | None = None
    inline: bool = False


@dataclass
class Block:
    """The readable contribution of one part (or one multipart/alternative) to the body."""

    text: str = ""  # the part's readable text (the plain alternative when there is one)
    extra: str = ""  # text only the HTML alternative has
    html: str = ""  # unsanitised HTML of the part, if it is HTML


class Walker:
    """Collects the body blocks and attachments of one message, depth first, in document order."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.attachments: list[Attachment] = []
        self.dsn = False  # a delivery-status part was seen
        self.receipt = False  # a read receipt (disposition-notification) was seen

    def walk(self, part: Message, path: str, depth: int, in_report: bool = False) -> list[Block]:
        if depth > MAX_DEPTH:
            self.problems.append(f"part {path}: nested deeper than {MAX_DEPTH} levels; ignored")
            return []
        ctype, params = _content_type(part, self.problems, path)
        disposition, dparams = headers.parameters(
            raw_value(part, "content-disposition"), self.problems, f"part {path} content-disposition"
        )
        filename = dparams.get("filename") or params.get("name") or ""
        children = part.get_payload() if part.is_multipart() else None
        if ctype in ("message/rfc822", "message/global") and children:
            return self._forwarded(children[0], path, depth, in_report, filename)
        if children is not None and ctype.startswith("multipart/"):
            return self._multipart(ctype, params, children, path, depth)
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            self.dsn = True
        if ctype == "message/disposition-notification":
            self.receipt = True
        # A multipart/* whose boundary is missing arrives as one text payload: show it as text.
        is_text = ctype.startswith("multipart/") or ctype in _TEXT_TYPES
        if is_text and disposition != "attachment" and not filename:
            return [self._text(part, ctype, params, path)]
        self._attach(part, ctype, disposition, filename, path)
        return []

    def _multipart(self, ctype: str, params: dict, children: list, path: str, depth: int) -> list[Block]:
        numbered = [(child, f"{path}.{n}") for n, child in enumerate(children, 1)]
        if ctype == "multipart/alternative":
            return self._alternative(numbered, depth)
        if ctype == "multipart/encrypted":
            for child, child_path in numbered:
                self._attach_part(child, child_path, depth + 1)
            return []
        body, rest = numbered, []
        if ctype in ("multipart/related", "multipart/signed", "multipart/report") and numbered:
            root = _related_root(numbered, params.get("start", "")) if ctype == "multipart/related" else 0
            body, rest = [numbered[root]], numbered[:root] + numbered[root + 1 :]
            if ctype == "multipart/report" and params.get("report-type", "").lower().endswith(
                "delivery-status"
            ):
                self.dsn = True
        blocks = []
        for child, child_path in body:
            blocks += self.walk(child, child_path, depth + 1, in_report=ctype == "multipart/report")
        for child, child_path in rest:
            if ctype == "multipart/report":
                self.walk(child, child_path, depth + 1, in_report=True)
            else:
                self._attach_part(child, child_path, depth + 1, inline=ctype == "multipart/related")
        return blocks

    def _alternative(self, numbered: list, depth: int) -> list[Block]:
        plain: Block | None = None
        rich: Block | None = None
        fallback: Block | None = None
        for child, child_path in numbered:
            blocks = self.walk(child, child_path, depth + 1)
            merged = Block(
                text="\n\n".join(b.text for b in blocks if b.text.strip()),
                html="\n".join(b.html for b in blocks if b.html.strip()),
            )
            if merged.html:
                rich = merged  # the last alternative is the sender's preferred one
            elif merged.text and plain is None:
                plain = merged
            elif merged.text:
                fallback = merged
        if plain is None:
            return [rich or fallback or Block()]
        if rich is None:
            return [plain]
        extra = "" if _covers(plain.text, rich.text) else rich.text
        return [Block(text=plain.text, extra=extra, html=rich.html)]

    def _text(self, part: Message, ctype: str, params: dict, path: str) -> Block:
        data = _payload(part)
        text = charsets.decode(data, params.get("charset"), self.problems, f"part {path} ({ctype})")
        text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
        if ctype == "text/html":
            if len(text) > HTML_MAX:
                # Rendering HTML to text costs about a second a megabyte: a 25 MB part would hold
                # the mail up for half a minute, and a ticket keeps far less text than this gives.
                self.problems.append(
                    f"part {path}: HTML longer than {HTML_MAX} characters; the rest was left out"
                )
                text = text[:HTML_MAX]
            return Block(text=html.to_text(text), html=text)
        if params.get("format", "").lower() == "flowed":
            text = _unflow(text, params.get("delsp", "").lower() == "yes")
        return Block(text=text)

    def _forwarded(
        self, inner: Message, path: str, depth: int, in_report: bool, filename: str
    ) -> list[Block]:
        """A message/rfc822 part: an .eml attachment, and (outside reports) its text for the body."""
        inner_subject = headers.decode_header(raw_value(inner, "subject"), self.problems, f"part {path}")
        name = filename or f"{inner_subject[:80] or 'forwarded-message'}.eml"
        data = _message_bytes(inner)
        self._add(name, "message/rfc822", data, None, False)
        if in_report:
            return []
        sub = Walker(self.problems)  # the forwarded mail's own attachments stay inside its .eml
        blocks = sub.walk(inner, path + ".1", depth + 1)
        lines = ["---------- Forwarded message ----------"]
        for label, key in (("From", "from"), ("Date", "date"), ("Subject", "subject"), ("To", "to")):
            if value := headers.decode_header(raw_value(inner, key), self.problems, f"part {path}"):
                lines.append(f"{label}: {value}")
        text = "\n\n".join(body_piece(b) for b in blocks if body_piece(b).strip())
        return [Block(text="\n".join(lines) + "\n\n" + text)]

    def _attach_part(self, part: Message, path: str, depth: int, inline: bool = False) -> None:
        """Keep a part that is not the body: files as attachments, nested messages as .eml files."""
        ctype, params = _content_type(part, self.problems, path)
        disposition, dparams = headers.parameters(
            raw_value(part, "content-disposition"), self.problems, f"part {path} content-disposition"
        )
        filename = dparams.get("filename") or params.get("name") or ""
        if ctype in ("message/rfc822", "message/global") or part.is_multipart():
            self.walk(part, path, depth, in_report=True)
            return
        self._attach(part, ctype, disposition or ("inline" if inline else ""), filename, path)

    def _attach(self, part: Message, ctype: str, disposition: str, filename: str, path: str) -> None:
        content_id = headers.message_ids(raw_values(part, "content-id"))
        cid = content_id[0] if content_id else None
        inline = disposition == "inline" or (not disposition and cid is not None)
        self._add(filename, ctype, _payload(part), cid, inline)

    def _add(self, filename: str, ctype: str, data: bytes, cid: str | None, inline: bool) -> None:
        if not filename:
            stem = "image" if ctype.startswith("image/") else "attachment"
            filename = _DEFAULT_NAMES.get(ctype) or f"{stem}-{len(self.attachments) + 1}"
            if "." not in filename:
                filename += mimetypes.guess_extension(ctype, strict=False) or ".bin"
        filename = safe_filename(clean_text(filename))
        self.attachments.append(Attachment(filename, ctype, len(data), data, cid, inline))


def _content_type(part: Message, problems: list[str], path: str) -> tuple[str, dict[str, str]]:
    main, params = headers.parameters(raw_value(part, "content-type"), problems, f"part {path} content-type")
    if not _CONTENT_TYPE.fullmatch(main):
        main = "text/plain"  # RFC 2045: a missing or broken Content-Type means text/plain
    return main, params


def _related_root(numbered: list, start: str) -> int:
    wanted = start.strip().strip("<>")
    for index, (child, _path) in enumerate(numbered):
        if wanted and wanted in headers.message_ids(raw_values(child, "content-id")):
            return index
    return 0


def _covers(plain: str, other: str) -> bool:
    """Whether `plain` says (nearly) everything `other` says; word by word, CJK by character."""
    words = _words(other)
    if not words:
        return True
    known = set(_words(plain))
    return sum(word in known for word in words) >= 0.7 * len(words)


def _words(text: str) -> list[str]:
    return re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+", text.lower())


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676: join soft-broken lines (ending in a space) of one quote depth."""
    out: list[str] = []
    joining = False
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        content = content[1:] if content.startswith(" ") else content  # space-stuffing
        if joining and out and out[-1][0] == depth:
            out[-1] = (depth, out[-1][1] + content)
        else:
            out.append((depth, content))
        joining = content.endswith(" ") and content != "-- "
        if joining and delsp:
            out[-1] = (depth, out[-1][1][:-1])
    return "\n".join((">" * d + (" " if d else "") + c) if d else c for d, c in out)


def _payload(part: Message) -> bytes:
    if (data := _base64_payload(part)) is not None:
        return data
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, list):  # message/delivery-status holds its field blocks as messages
        return b"\r\n".join(_message_bytes(block) for block in payload if isinstance(block, Message))
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _base64_payload(part: Message) -> bytes | None:
    """A base64 part decoded in one step, or None to leave it to the stdlib.

    The stdlib copies the encoded text three times on the way (bytes, a list of its lines, their
    join): for a large attachment that was the peak memory of a whole ingestion. Odd padding and
    8-bit bytes in the text raise here; the stdlib's decoder is lenient about those.
    """
    if part.is_multipart() or raw_value(part, "content-transfer-encoding").strip().lower() != "base64":
        return None
    payload = part.get_payload()
    if not isinstance(payload, str):
        return None
    try:
        return binascii.a2b_base64(payload)
    except (binascii.Error, ValueError):
        return None


def _message_bytes(message: Message) -> bytes:
    for chosen in (policy.compat32.clone(linesep="\r\n"), policy.default.clone(linesep="\r\n")):
        try:
            buffer = BytesIO()
            BytesGenerator(buffer, mangle_from_=False, policy=chosen).flatten(message)
            return buffer.getvalue()
        except Exception:
            continue
    return b""


def body_piece(block: Block) -> str:
    """A block's text for the body: its own text, then whatever only its HTML alternative said."""
    text = block.text.strip("\n").rstrip()
    return f"{text}\n\n{block.extra.strip()}" if block.extra.strip() else text


def clean_text(text: str) -> str:
    """No NULs or other control characters (PostgreSQL refuses NUL in text); no trailing blanks."""
    return _CONTROL.sub("", text).strip()
