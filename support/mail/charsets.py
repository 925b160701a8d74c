"""Turning mail bytes into text whatever charset label came with them.

Real mail lies about its charset: GB2312 labels on GBK text, ISO-2022-JP with Microsoft's extra
characters, Korean under `ks_c_5601-1987`, UTF-8 under `iso-8859-1`, 8-bit bytes with no label at all.
`decode()` maps labels onto the supersets that senders actually use, falls back in a fixed order
(UTF-8, GB18030, then Latin-1) and appends a line to `problems` whenever it had to guess or lose bytes.
"""

from __future__ import annotations

import codecs
import re

# Our own name for ISO-2022-JP as Microsoft writes it (CP50220/50221): JIS escapes over the CP932
# repertoire, so NEC and IBM extensions (①, ㈱, 髙) and half-width katakana decode.
ISO2022JP_MS = "iso-2022-jp-ms"

# Labels whose registered codec is narrower than what mail clients put under them.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "euc_kr": "cp949",
    "iso2022_jp": ISO2022JP_MS,
    "iso2022_jp_1": ISO2022JP_MS,
    "shift_jis": "cp932",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
}

# Labels Python does not know (or maps to the narrower codec) but mail clients send.
_ALIASES = {
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "gb-2312": "gb18030",
    "gb2312-80": "gb18030",
    "x-euc-cn": "gb18030",
    "euc-cn": "gb18030",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "windows-950": "cp950",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms-kanji": "cp932",
    "csshiftjis": "cp932",
    "cp50220": ISO2022JP_MS,
    "cp50221": ISO2022JP_MS,
    "cp50222": ISO2022JP_MS,
    "csiso2022jp": ISO2022JP_MS,
    "x-euc-jp": "euc_jp",
    "cp51932": "euc_jp",
    "ks-c-5601-1987": "cp949",
    "ks-c-5601": "cp949",
    "ksc5601": "cp949",
    "ksc-5601": "cp949",
    "windows-949": "cp949",
    "x-windows-949": "cp949",
    "uhc": "cp949",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso8859-8",
    "iso-8859-6-i": "iso8859-6",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "unicode-1-1-utf-8": "utf-8",
    "utf8": "utf-8",
}

# Close relatives tried, strictly and silently, when the declared codec fails.
_FAMILY = {
    ISO2022JP_MS: ("iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_2004", "cp932", "euc_jp"),
    "cp932": ("shift_jis_2004", "euc_jp", ISO2022JP_MS),
    "euc_jp": ("euc_jis_2004", "cp932"),
    "big5hkscs": ("cp950",),
    "cp950": ("big5hkscs",),
    "iso2022_kr": ("cp949",),
    "cp1252": ("iso8859-1",),
    "cp1254": ("iso8859-9",),
}

_WESTERN = {"cp1252", "iso8859-1", "cp1254", "iso8859-9", "iso8859-15", "cp1250", "iso8859-2"}
_STATEFUL_OR_WIDE = ("utf-16", "utf-32", "utf-7", "iso2022", "hz", ISO2022JP_MS)
_EBCDIC = {"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"}
_NOT_FOR_TEXT = {"idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined", "mbcs", "oem"}
_SURROGATES = re.compile("[\udc80-\udcff]+")
_CP932_UNASSIGNED = re.compile("[\uf8f0-\uf8f3]")


def codec_for(label: str | None) -> str | None:
    """The codec to decode text labelled `label` with, or None when the label is missing or unknown."""
    key = _clean_label(label)
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    if key.replace("_", "-") in _ALIASES:
        return _ALIASES[key.replace("_", "-")]
    try:
        info = codecs.lookup(key)
    except (LookupError, ValueError, TypeError):
        return None
    # Bytes-to-bytes codecs (zlib, base64, bz2...) must never run on untrusted input.
    if not getattr(info, "_is_text_encoding", False) or info.name in _NOT_FOR_TEXT:
        return None
    return _SUPERSETS.get(info.name, info.name)


def decode(data: bytes, label: str | None, problems: list[str], where: str) -> str:
    """Decode `data` declared as `label`; every guess or loss is described in `problems`."""
    if not data:
        return ""
    key = _clean_label(label)
    codec = codec_for(key)
    if (codec is None or _ascii_compatible(codec)) and data.isascii() and b"\x1b" not in data:
        return data.decode("ascii")
    if codec is None or codec == "ascii":
        if codec == "ascii":
            why = f"declared {key} but has 8-bit bytes"
        elif key:
            why = f"unknown charset {key!r}"
        else:
            why = "no charset declared"
        return _guess(data, why, problems, where)
    return _declared(data, key, codec, problems, where)


def _declared(data: bytes, key: str, codec: str, problems: list[str], where: str) -> str:
    # Text that is valid UTF-8 is almost never meant as a legacy charset: Latin-1 or GBK text passing
    # as UTF-8 needs a run of unlikely byte pairs. Short CJK strings are too ambiguous to overrule.
    non_ascii = sum(b >= 0x80 for b in data)
    plausible = non_ascii and (codec in _WESTERN or non_ascii >= 6) and _ascii_compatible(codec)
    if codec != "utf-8" and plausible and (text := _strict(data, "utf-8")) is not None:
        problems.append(f"{where}: declared {key} but the text is UTF-8; decoded as utf-8")
        return text
    for candidate in (codec, *_FAMILY.get(codec, ())):
        if (text := _strict(data, candidate)) is not None:
            return text
    if codec == "utf-8":
        text, bad = _lossy(data, "utf-8")
        if bad <= max(3, non_ascii // 20):
            problems.append(f"{where}: {bad} byte(s) are not valid {key}; replaced")
            return text
    for fallback in ("utf-8", "gb18030"):
        if fallback != codec and (text := _strict(data, fallback)) is not None:
            problems.append(f"{where}: declared {key} but the text is not; decoded as {fallback}")
            return text
    text, bad = _lossy(data, codec)
    problems.append(f"{where}: {bad} byte(s) are not valid {key}; replaced")
    return text


def _guess(data: bytes, why: str, problems: list[str], where: str) -> str:
    order = ([ISO2022JP_MS] if b"\x1b" in data else []) + ["utf-8", "gb18030"]
    for candidate in order:
        if (text := _strict(data, candidate)) is not None:
            if candidate != ISO2022JP_MS or not data.isascii():
                problems.append(f"{where}: {why}; decoded as {candidate}")
            return text
    problems.append(f"{where}: {why}; decoded as latin-1, the text may be garbled")
    return data.decode("latin-1")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        if codec == ISO2022JP_MS:
            return _decode_iso2022jp_ms(data)
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError, ValueError):
        return None
    # CP932 "decodes" the unassigned bytes 0xFD-0xFF to private-use characters: that is a failure.
    if codec == "cp932" and _CP932_UNASSIGNED.search(text):
        return None
    return text


def _lossy(data: bytes, codec: str) -> tuple[str, int]:
    """Decode with U+FFFD for every byte that does not fit; return the text and that count."""
    if codec == ISO2022JP_MS:
        codec = "iso2022_jp_2"
    try:
        text = data.decode(codec, "surrogateescape")
    except (UnicodeDecodeError, LookupError, ValueError):
        text = data.decode("utf-8", "surrogateescape")
    bad = sum(len(m.group()) for m in _SURROGATES.finditer(text))
    return _SURROGATES.sub(lambda m: "\ufffd" * len(m.group()), text), bad


def _clean_label(label: str | None) -> str:
    if not label:
        return ""
    return str(label).strip().strip("\"'").strip().lower()[:60]


def _ascii_compatible(codec: str) -> bool:
    return not codec.startswith(_STATEFUL_OR_WIDE) and codec not in _EBCDIC


# ISO-2022-JP escape sequences and the mode each one selects.
_ESCAPES = (
    (b"\x1b(B", "ascii"),
    (b"\x1b(J", "ascii"),
    (b"\x1b(H", "ascii"),
    (b"\x1b(I", "kana"),
    (b"\x1b$@", "jis"),
    (b"\x1b$B", "jis"),
    (b"\x1b$(B", "jis"),
    (b"\x1b&@", None),  # announces the 1990 revision of JIS X 0208; the next escape selects it
)


def _decode_iso2022jp_ms(data: bytes) -> str:
    """ISO-2022-JP rewritten as Shift_JIS bytes and decoded as CP932, as Outlook and Windows do."""
    out = bytearray()
    mode, shifted, i, size = "ascii", False, 0, len(data)
    while i < size:
        byte = data[i]
        if byte == 0x1B:
            for sequence, selected in _ESCAPES:
                if data.startswith(sequence, i):
                    mode = selected or mode
                    i += len(sequence)
                    break
            else:
                raise UnicodeDecodeError("iso-2022-jp", data, i, i + 1, "unsupported escape")
            continue
        if byte in (0x0E, 0x0F):  # SO / SI switch half-width katakana on and off (CP50221)
            shifted = byte == 0x0E
            i += 1
            continue
        if byte >= 0x80:
            raise UnicodeDecodeError("iso-2022-jp", data, i, i + 1, "8-bit byte")
        if byte in (0x0A, 0x0D) or (mode == "ascii" and not shifted):
            out.append(byte)
            i += 1
        elif mode == "kana" or shifted:
            if not 0x21 <= byte <= 0x5F:
                raise UnicodeDecodeError("iso-2022-jp", data, i, i + 1, "not a katakana byte")
            out.append(byte + 0x80)
            i += 1
        else:
            second = data[i + 1] if i + 1 < size else 0
            if not (0x21 <= byte <= 0x7E and 0x21 <= second <= 0x7E):
                raise UnicodeDecodeError("iso-2022-jp", data, i, i + 2, "not a JIS X 0208 pair")
            out += _jis_to_sjis(byte, second)
            i += 2
    return bytes(out).decode("cp932")


def _jis_to_sjis(first: int, second: int) -> bytes:
    lead = ((first - 0x21) >> 1) + 0x81
    if lead > 0x9F:
        lead += 0x40
    # Odd JIS rows map onto the low half of a Shift_JIS row (skipping 0x7F), even rows the high half.
    trail = second + 0x1F + (second >= 0x60) if first & 1 else second + 0x7E
    return bytes((lead, trail))
