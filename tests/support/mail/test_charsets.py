"""Charset labels, fall-backs and header decoding, one case at a time."""

from __future__ import annotations

import pytest

from support.mail import charsets, headers
from support.mail.parse import parse_message


def decode(data: bytes, label: str | None):
    problems: list[str] = []
    return charsets.decode(data, label, problems, "t"), problems


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("x-gbk", "gb18030"),
        ("cp936", "gb18030"),
        ('"gb2312"', "gb18030"),
        ("big5", "big5hkscs"),
        ("ks_c_5601-1987", "cp949"),
        ("euc-kr", "cp949"),
        ("ISO-2022-JP", charsets.ISO2022JP_MS),
        ("shift_jis", "cp932"),
        ("windows-31j", "cp932"),
        ("iso-8859-1", "cp1252"),
        ("UTF-8", "utf-8"),
        ("x-unknown", None),
        ("", None),
        (None, None),
        # Bytes-to-bytes codecs must never be run on mail: zlib would decompress an attacker's bomb.
        ("zlib", None),
        ("base64", None),
        ("rot13", None),
        ("idna", None),
    ],
)
def test_labels_map_onto_the_supersets_clients_use(label, codec):
    assert charsets.codec_for(label) == codec


@pytest.mark.parametrize(
    ("text", "encoding", "label"),
    [
        ("中文测试 镕 喆 ㈱", "gb18030", "gb2312"),
        ("繁體 㗎 哋", "big5hkscs", "big5"),
        ("똠방 한국어", "cp949", "ks_c_5601-1987"),
        ("①②㈱ 髙橋 ﾃｽﾄ", "cp932", "shift_jis"),
        ("€ smart “quotes”", "cp1252", "iso-8859-1"),
    ],
)
def test_supersets_decode_what_the_narrow_codec_would_not(text, encoding, label):
    assert decode(text.encode(encoding), label) == (text, [])


def test_iso_2022_jp_with_microsoft_extensions_and_katakana():
    data = b"\x1b$B-!\x1b(B abc \x1b(I12\x1b(B \x1b$B-j\x1b(B"  # ① abc ｱｲ ㈱
    assert decode(data, "iso-2022-jp") == ("① abc ｱｲ ㈱", [])


def test_iso_2022_jp_2_escapes_still_decode():
    data = "中文 and 日本語".encode("iso2022_jp_2")
    assert decode(data, "iso-2022-jp")[0] == "中文 and 日本語"


def test_undeclared_escape_sequences_are_read_as_iso_2022_jp():
    assert decode("日本語".encode("iso2022_jp"), None) == ("日本語", [])


def test_undeclared_8bit_tries_utf8_then_gb18030_then_latin1():
    assert decode("中文".encode(), None) == ("中文", ["t: no charset declared; decoded as utf-8"])
    assert decode("中文".encode("gbk"), None) == ("中文", ["t: no charset declared; decoded as gb18030"])
    text, problems = decode(b"\x80\xff", None)
    assert text == "\x80ÿ" and problems == [
        "t: no charset declared; decoded as latin-1, the text may be garbled"
    ]


def test_pure_ascii_needs_no_guess_whatever_the_label():
    assert decode(b"plain text", "x-whatever") == ("plain text", [])


def test_declared_utf8_with_a_few_bad_bytes_keeps_utf8():
    text, problems = decode("中文".encode() * 10 + b"\xff", "utf-8")
    assert text == "中文" * 10 + "\ufffd"
    assert problems == ["t: 1 byte(s) are not valid utf-8; replaced"]


def test_declared_utf8_that_is_really_gbk():
    text, problems = decode("这封邮件其实是GBK编码的".encode("gbk"), "utf-8")
    assert text == "这封邮件其实是GBK编码的"
    assert problems == ["t: declared utf-8 but the text is not; decoded as gb18030"]


def test_declared_us_ascii_with_8bit_bytes():
    assert decode("é".encode(), "us-ascii") == (
        "é",
        ["t: declared us-ascii but has 8-bit bytes; decoded as utf-8"],
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=?UTF-8?B?VGVzdG92w6Fjw60gZW1haWw=?=", "Testovácí email"),
        # Adjacent words: the whitespace between them disappears, even across a fold.
        ("=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"),
        ("=?utf-8?Q?a?=\r\n =?utf-8?B?Yg==?=", "ab"),
        ("plain =?utf-8?Q?word?= plain", "plain word plain"),
        # One character split between two words.
        ("=?utf-8?B?5Lit?= =?utf-8?B?5paH?=", "中文"),
        ("=?UTF-8?B?" + "5Lit5paH"[:4] + "?= =?UTF-8?B?" + "5Lit5paH"[4:] + "?=", "中文"),
        # Language tag (RFC 2231 section 5), lower-case q, missing padding.
        ("=?utf-8*zh?q?=E4=B8=AD?=", "中"),
        ("=?utf-8?B?5Lit5paH?=", "中文"),
        ("=?utf-8?B?5Lit5p?=", "中\ufffd"),
        ("=?gb2312?B?1tDOxA==?=", "中文"),
        ("=?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=", "日本語"),
        ("=?unknown?Q?plain?=", "plain"),
        ("no words at all", "no words at all"),
    ],
)
def test_encoded_words(raw, expected):
    assert headers.decode_header(raw, [], "subject") == expected


def test_address_list_with_encoded_and_quoted_names():
    raw = '"=?utf-8?B?5byg5LiJ?=" <A@Example.CN>, =?utf-8?Q?Li=2C_Si?= <li@example.cn>, "Wang, Wu" <w@x.cn>'
    assert headers.addresses([raw], [], "to") == [
        ("张三", "a@example.cn"),
        ("Li, Si", "li@example.cn"),
        ("Wang, Wu", "w@x.cn"),
    ]


def test_address_encoded_as_one_word():
    raw = "=?utf-8?B?" + "5byg5LiJIDx6c0BleGFtcGxlLmNuPg==" + "?="  # 张三 <zs@example.cn>
    assert headers.addresses([raw], [], "from") == [("张三", "zs@example.cn")]


def test_rfc2231_parameters():
    _, params = headers.parameters(
        "attachment; filename*0*=gb2312''%D6%D0; filename*1*=%CE%C4; filename*2=.txt; size=3", [], "p"
    )
    assert params["filename"] == "中文.txt"
    assert params["size"] == "3"


def test_message_ids_keep_order_and_drop_brackets():
    assert headers.message_ids(["<a@x> <b@y>\r\n <a@x>", "bare@z"]) == ["a@x", "b@y", "bare@z"]


def test_outlook_ks_c_5601_message_end_to_end():
    raw = (
        (
            "Subject: =?ks_c_5601-1987?B?" + "jGO55g==" + "?=\r\n"  # 똠방 in UHC
            "From: kim@example.kr\r\nContent-Type: text/plain; charset=ks_c_5601-1987\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode()
        + "똠방 점검".encode("cp949")
    )
    mail = parse_message(raw)
    assert (mail.subject, mail.body, mail.charset_problems) == ("똠방", "똠방 점검", [])


def test_garbage_under_a_japanese_label_is_reported_not_turned_into_private_use_characters():
    text, problems = decode(b"\x1b$B\xff\xff\x1b(Babc", "iso-2022-jp")
    assert text.endswith("abc") and "\uf8f3" not in text
    assert problems == ["t: 2 byte(s) are not valid iso-2022-jp; replaced"]
