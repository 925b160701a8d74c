"""Assembling raw messages byte by byte, the way a named mail client writes them.

Helpers for make_fixtures.py: RFC 2047 words in any charset (or lying about it), base64 and
quoted-printable bodies with CRLF line ends, ISO-2022-JP as Microsoft writes it, multiparts.
"""

from __future__ import annotations

import base64
import quopri
import zlib

SUPPORT = "Aftercare Support <support@aftercare.example>"
ALT = "----=_NextPart_000_0012_01DB3E2A.5C3F1B40"
Headers = list[tuple[str, str | bytes]]


def ew(text: str, charset: str, kind: str = "B", label: str | None = None) -> str:
    """One RFC 2047 encoded-word; `label` is the charset it claims when that is not the one used."""
    data = iso2022jp_ms(text) if charset.upper() == "ISO-2022-JP" else text.encode(charset)
    label = label or charset
    if kind == "B":
        return f"=?{label}?B?{base64.b64encode(data).decode()}?="
    return f"=?{label}?Q?{quopri.encodestring(data, header=True).decode()}?="


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data.replace(b"\r\n", b"\n")).replace(b"\n", b"\r\n")


def iso2022jp_ms(text: str) -> bytes:
    """ISO-2022-JP as Outlook writes it (CP50221): CP932 characters, half-width katakana via ESC ( I."""
    out, mode = bytearray(), "ascii"
    for char in text:
        if ord(char) < 0x80:
            wanted, data = "ascii", char.encode()
        elif "\uff61" <= char <= "\uff9f":
            wanted, data = "kana", bytes([char.encode("cp932")[0] - 0x80])
        else:
            wanted, data = "jis", sjis_to_jis(char.encode("cp932"))
        if wanted != mode:
            out += {"ascii": b"\x1b(B", "kana": b"\x1b(I", "jis": b"\x1b$B"}[wanted]
            mode = wanted
        out += data
    if mode != "ascii":
        out += b"\x1b(B"
    return bytes(out)


def sjis_to_jis(pair: bytes) -> bytes:
    lead, trail = pair
    row = ((lead - 0x40 if lead >= 0xE0 else lead) - 0x81) * 2 + 0x21
    if trail >= 0x9F:
        return bytes((row + 1, trail - 0x7E))
    return bytes((row, trail - 0x1F - (trail >= 0x80)))


def message(headers: Headers, body: bytes, eol: bytes = b"\r\n") -> bytes:
    lines = []
    for name, value in headers:
        value = value if isinstance(value, bytes) else value.encode("ascii")
        lines.append(name.encode() + b": " + value.replace(b"\n", eol))
    return eol.join(lines) + eol + eol + body


def single(headers: Headers, body_part: bytes, eol: bytes = b"\r\n") -> bytes:
    """A one-part message: the part's own Content-* headers join the message headers."""
    if eol != b"\r\n":
        body_part = body_part.replace(b"\r\n", eol)
    return message(headers, b"", eol)[: -len(eol)] + body_part


def part(content_type: str, body: bytes, encoding: str | None = None, *extra: str) -> bytes:
    head = [f"Content-Type: {content_type}"]
    if encoding:
        head.append(f"Content-Transfer-Encoding: {encoding}")
    head += extra
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def multipart(boundary: str, parts: list[bytes], preamble: bytes = b"") -> bytes:
    out = preamble
    for piece in parts:
        out += f"\r\n--{boundary}\r\n".encode() + piece
    return out + f"\r\n--{boundary}--\r\n".encode()


def text_part(
    text: str, charset: str, encoding: str = "base64", flowed: bool = False, label: str | None = None
) -> bytes:
    crlf = text.replace("\n", "\r\n")
    data = iso2022jp_ms(crlf) if charset.upper() == "ISO-2022-JP" else crlf.encode(charset)
    body = b64(data) if encoding == "base64" else qp(data) if encoding == "quoted-printable" else data
    params = f'charset="{label or charset}"' + ("; format=flowed" if flowed else "")
    return part(f"text/plain; {params}", body, encoding)


def html_part(html: str, charset: str, encoding: str = "quoted-printable") -> bytes:
    data = html.replace("\n", "\r\n").encode(charset)
    return part(f'text/html; charset="{charset}"', b64(data) if encoding == "base64" else qp(data), encoding)


def common(subject: str, sender: str, to: str = SUPPORT, **extra: str) -> Headers:
    """The usual headers; keyword arguments add more (underscores become dashes)."""
    number = zlib.crc32((subject + sender).encode())
    domain = sender.rsplit("@", 1)[-1].rstrip(">")
    headers: Headers = [
        ("From", sender),
        ("To", to),
        ("Subject", subject),
        ("Date", "Tue, 24 Nov 2026 10:30:00 +0800"),
        ("Message-ID", f"<{number}@{domain}>"),
        ("MIME-Version", "1.0"),
    ]
    return headers + [(name.replace("_", "-"), value) for name, value in extra.items()]


def alternative(headers: Headers, plain: bytes, html: bytes) -> bytes:
    return message(
        headers + [("Content-Type", f'multipart/alternative;\n boundary="{ALT}"')],
        multipart(ALT, [plain, html], b"This is a multi-part message in MIME format.\r\n"),
    )


REPLY_TO_1042 = [
    ("In-Reply-To", "<ticket-1042.1@aftercare.example>"),
    ("References", "<ticket-1042.0@aftercare.example>\n <ticket-1042.1@aftercare.example>"),
]
