"""Decoding header values: RFC 2047 encoded-words, RFC 2231 parameters, undeclared 8-bit bytes.

The stdlib's header registry gets the common cases right but not the broken ones that real mail is
full of: encoded-words split in the middle of a multi-byte character, a wrong charset in the word,
raw GBK or UTF-8 bytes in a Subject, encoded-words inside quoted names and filenames. Everything
here works on the raw header string the parser kept (`Message.raw_items()`), never raises, and
reports guesses through `charsets.decode`.
"""

from __future__ import annotations

import binascii
import functools
import re
from email.message import Message
from email.utils import getaddresses
from urllib.parse import unquote_to_bytes

from support.mail import charsets

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_LINE_BREAK = re.compile(r"[\r\n]+")
_ADDRESS = re.compile(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+")
_BRACKETED = re.compile(r"<\s*([^<>]*?)\s*>")
_PARAM_NAME = re.compile(r"([^*\s]+)(?:\*(\d{1,3}))?(\*)?")
HEADER_VALUE_MAX = 64 * 1024  # characters: ~3,000 addresses or Message-IDs


def unfold(value: str) -> str:
    """Join folded lines; a stray line break without the continuation space becomes a space."""
    return _LINE_BREAK.sub(" ", _FOLD.sub("", value))


def text_of(raw: str, problems: list[str], where: str) -> str:
    """A raw header value (surrogate-escaped 8-bit bytes allowed) as text, encoded-words left alone."""
    data = raw.encode("utf-8", "surrogateescape")
    if data.isascii() and b"\x1b" not in data:
        return unfold(raw)
    return unfold(charsets.decode(data, None, problems, where))


def decode_header(raw: str, problems: list[str], where: str) -> str:
    """A complete unstructured header (Subject...) as one line of text."""
    text = decode_words(text_of(raw, problems, where), problems, where)
    return " ".join(text.split())


def decode_words(text: str, problems: list[str], where: str) -> str:
    """Replace RFC 2047 encoded-words; adjacent words of one charset are joined before decoding."""
    if "=?" not in text:
        return text
    out: list[str] = []
    pending: list = []  # [charset, bytearray] of the run of adjacent words being collected
    position = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        if not (pending and not between.strip()):
            _flush(pending, out, problems, where)
            out.append(between)
        charset = match.group(1).split("*", 1)[0]
        data = _b_decode(match.group(3)) if match.group(2) in "bB" else _q_decode(match.group(3))
        if pending and pending[0].lower() == charset.lower():
            pending[1] += data
        else:
            _flush(pending, out, problems, where)
            pending[:] = [charset, bytearray(data)]
        position = match.end()
    _flush(pending, out, problems, where)
    out.append(text[position:])
    return "".join(out)


def _flush(pending: list, out: list[str], problems: list[str], where: str) -> None:
    if pending:
        out.append(charsets.decode(bytes(pending[1]), pending[0], problems, where))
        pending.clear()


def _b_decode(text: str) -> bytes:
    letters = re.sub(r"[^A-Za-z0-9+/]", "", text)
    if len(letters) % 4 == 1:  # a stray character; the rest still decodes
        letters = letters[:-1]
    try:
        return binascii.a2b_base64(letters + "=" * (-len(letters) % 4))
    except (binascii.Error, ValueError):
        return b""


def _q_decode(text: str) -> bytes:
    data = text.replace("_", " ").encode("utf-8", "surrogateescape")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)


def addresses(raws: list[str], problems: list[str], where: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs from address headers; names fully decoded."""
    found: list[tuple[str, str]] = []
    for raw in raws:
        text = text_of(raw, problems, where)
        pairs = _split_addresses(text)
        if not any("@" in address for _, address in pairs) and "=?" in text:
            # Some mailers encode the whole `Name <address>` as one encoded-word.
            text = decode_words(text, problems, where)
            pairs = _split_addresses(text)
        for name, address in pairs:
            address = address.strip().strip("<>").strip().lower()
            if "@" not in address or not address.isprintable() or " " in address:
                continue
            name = " ".join(decode_words(name, problems, where).split()).strip("\"' ")
            found.append((name, address))
        if not pairs:
            found += [("", a.lower()) for a in _ADDRESS.findall(decode_words(text, problems, where))]
    return found


def _split_addresses(text: str) -> tuple[tuple[str, str], ...]:
    # The same few addresses come back in mail after mail (ours in To, a customer's in From).
    return _split_cached(text) if len(text) <= 300 else _split_uncached(text)


def _split_uncached(text: str) -> tuple[tuple[str, str], ...]:
    try:
        pairs = getaddresses([text])
    except Exception:  # the stdlib's address parser has raised on odd input before
        pairs = []
    pairs = [(name, address) for name, address in pairs if address]
    if not pairs and "@" in text:
        pairs = [("", address) for address in _ADDRESS.findall(text)]
    return tuple(pairs)


_split_cached = functools.lru_cache(maxsize=1024)(_split_uncached)


def message_ids(raws: list[str]) -> list[str]:
    """Message-IDs without their angle brackets, in order, duplicates dropped."""
    ids: dict[str, None] = {}  # a dict keeps the order and finds duplicates at once (huge References)
    for raw in raws:
        text = unfold(raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
        found = _BRACKETED.findall(text) or [t.strip("<>,;") for t in text.split() if "@" in t]
        for found_id in found:
            if found_id.isprintable():  # then the only whitespace it can hold is the ASCII space
                found_id = found_id.replace(" ", "")
            else:
                found_id = "".join(ch for ch in found_id if ch.isprintable() and not ch.isspace())
            if found_id:
                ids.setdefault(found_id)
    return list(ids)


def parameters(raw: str, problems: list[str], where: str) -> tuple[str, dict[str, str]]:
    """A Content-Type/Content-Disposition value: (lower-cased main value, decoded parameters)."""
    segments = _split_unquoted(text_of(raw, problems, where))
    main = segments[0].strip().lower() if segments else ""
    plain: dict[str, str] = {}
    extended: dict[str, dict[int, tuple[bool, str]]] = {}
    for segment in segments[1:]:
        name, equals, value = segment.partition("=")
        match = _PARAM_NAME.fullmatch(name.strip().lower())
        if not equals or not match:
            continue
        base, index, star = match.groups()
        value = _unquote(value.strip())
        if index is None and not star:
            plain.setdefault(base, value)
        else:
            extended.setdefault(base, {})[int(index or 0)] = (bool(star), value)
    params = {name: decode_words(value, problems, where) for name, value in plain.items()}
    for name, pieces in extended.items():
        params[name] = _rfc2231(pieces, problems, where)
    return main, params


def _rfc2231(pieces: dict[int, tuple[bool, str]], problems: list[str], where: str) -> str:
    charset, data = None, bytearray()
    for index in sorted(pieces):
        encoded, value = pieces[index]
        if encoded and index == min(pieces) and value.count("'") >= 2:
            charset, _language, value = value.split("'", 2)
        data += unquote_to_bytes(value) if encoded else value.encode("utf-8", "surrogateescape")
    text = charsets.decode(bytes(data), charset or "utf-8", problems, where)
    return decode_words(text, problems, where)


def _split_unquoted(text: str) -> list[str]:
    """Split on semicolons outside double quotes."""
    segments, current, quoted, escaped = [], [], False, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            segments.append("".join(current))
            current = []
            continue
        current.append(char)
    segments.append("".join(current))
    return segments


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value.strip('"')


def raw_values(message: Message, name: str) -> list[str]:
    """Every value of header `name` as the parser stored it (8-bit bytes surrogate-escaped), each cut
    to HEADER_VALUE_MAX: far more than any real header, and it keeps a hostile megabyte-long one from
    costing seconds in every reading of it."""
    try:
        return [str(value)[:HEADER_VALUE_MAX] for key, value in message.raw_items() if key.lower() == name]
    except Exception:
        return []


def raw_value(message: Message, name: str) -> str:
    values = raw_values(message, name)
    return values[0] if values else ""
