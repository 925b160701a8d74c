"""Our own corpus (fixtures/, written by make_fixtures.py): charsets, clients, structure, noise."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.mail.parse import parse_message
from tests.support.mail.make_fixtures import build

FIXTURES = Path(__file__).parent / "fixtures"


def parse(name: str):
    return parse_message((FIXTURES / name).read_bytes())


def test_committed_fixtures_match_their_generator():
    built = build()
    assert sorted(built) == sorted(p.name for p in FIXTURES.glob("*.eml"))
    for name, data in built.items():
        assert (FIXTURES / name).read_bytes() == data, f"{name} is stale: run make_fixtures"


CHARSETS = {
    # GBK-only characters (镕, 喆) under a gb2312 label: decoded through the GB18030 superset.
    "foxmail-gbk-under-gb2312.eml": (
        "报修：镕铸车间的服务器无法启动",
        "张三",
        "您好：\n\n镕铸车间的服务器今天早上无法启动，请尽快安排工程师。\n\n联系人：王喆\n电话：138-0000-0000",
    ),
    # HKSCS characters (哋, 㗎) under a big5 label.
    "big5-hkscs.eml": (
        "系統升級問題",
        "陳大文",
        "你好，\n\n我哋部機升級之後開唔到㗎，請幫手睇下。\n\n陳大文",
    ),
    # Outlook's ISO-2022-JP: NEC specials (①, ㈱) and half-width katakana in ESC ( I.
    "outlook-iso-2022-jp.eml": (
        "【至急】サーバー①号機が停止しました",
        "山田太郎",
        "サポート御中\n\n㈱山田製作所の山田です。\nｻｰﾊﾞｰ①号機が今朝から停止しています。\n\nよろしくお願いいたします。",
    ),
    "shift-jis-nec.eml": ("①号機の件", "Sato", "㈱佐藤商事です。①号機は復旧しました。"),
    # A UHC syllable (똠) that plain EUC-KR lacks, under ks_c_5601-1987.
    "outlook-ks-c-5601.eml": (
        "똠방 서버 점검 요청",
        "김철수",
        "안녕하세요.\n\n똠방 사무실 서버 점검을 요청드립니다.\n\n김철수 드림",
    ),
    "jis-raw-subject.eml": ("請求書の件", "Suzuki", "請求書を再送してください。"),
}


@pytest.mark.parametrize("name", CHARSETS)
def test_declared_charsets_decode_without_problems(name):
    subject, from_name, body = CHARSETS[name]
    mail = parse(name)
    assert (mail.subject, mail.from_name, mail.body) == (subject, from_name, body)
    assert mail.charset_problems == []


def test_undeclared_8bit_gbk_headers_and_body_are_guessed_and_reported():
    mail = parse("undeclared-8bit-gbk.eml")
    assert (mail.subject, mail.from_name, mail.from_email) == ("打印机卡纸", "李四", "lisi@example.cn")
    assert mail.body == "打印机一直卡纸，怎么处理？"
    assert mail.charset_problems == [
        "subject: no charset declared; decoded as gb18030",
        "from: no charset declared; decoded as gb18030",
        "part 1 (text/plain): no charset declared; decoded as gb18030",
    ]


def test_undeclared_8bit_utf8_headers():
    mail = parse("undeclared-8bit-utf8.eml")
    assert (mail.subject, mail.from_name) == ("登录失败 – login fails", "王五")
    assert mail.body == "输入密码后提示登录失败。"
    assert mail.charset_problems == [
        "subject: no charset declared; decoded as utf-8",
        "from: no charset declared; decoded as utf-8",
    ]


def test_unknown_charset_label_falls_back_to_utf8_and_says_so():
    mail = parse("unknown-charset.eml")
    assert (mail.subject, mail.body) == ("café order", "Ünïcödé body – 中文")
    assert mail.charset_problems == [
        "subject: unknown charset 'x-unknown-foo'; decoded as utf-8",
        "part 1 (text/plain): unknown charset 'x-unknown-foo'; decoded as utf-8",
    ]


def test_wrong_declared_charset_in_encoded_word_and_body():
    mail = parse("wrong-declared-charset.eml")
    assert (mail.subject, mail.body) == ("Réunion – 会议", "会议纪要已经上传，请查收。")
    assert mail.charset_problems == [
        "subject: declared iso-8859-1 but the text is UTF-8; decoded as utf-8",
        "part 1 (text/plain): declared gb2312 but the text is UTF-8; decoded as utf-8",
    ]


def test_undecodable_bytes_are_replaced_and_reported():
    mail = parse("lossy-utf8.eml")
    assert mail.body == "The log says: café \ufffd\ufffd done."
    assert mail.charset_problems == ["part 1 (text/plain): 2 byte(s) are not valid utf-8; replaced"]


def test_encoded_names_split_words_and_rfc2231_filenames():
    mail = parse("encoded-names-and-filenames.eml")
    assert mail.subject == "中文主题：附件测试"  # two B-words split inside a character
    assert (mail.from_name, mail.from_email) == ("张三", "zhangsan@example.cn")  # encoded-word in quotes
    assert mail.cc == ["lisi@example.cn", "wangwu@example.cn"]  # the quoted comma splits nothing
    assert mail.body == "附件是日志和报告。"
    assert [(a.filename, a.content_type, a.size) for a in mail.attachments] == [
        ("报告.pdf", "application/pdf", 15),  # RFC 2231 filename*=UTF-8''
        ("日志.txt", "text/plain", 10),  # RFC 2047 word inside a quoted filename
        ("设备清单.xlsx", "application/octet-stream", 10),  # RFC 2231 continuations
        ("截图.png", "image/png", 13),  # raw GBK bytes in the filename
    ]
    assert mail.attachments[1].data == "日志内容\r\n".encode("gbk")
    assert mail.charset_problems == ["part 1.5 content-disposition: no charset declared; decoded as gb18030"]


def test_html_only_mail_becomes_readable_text_and_safe_html():
    mail = parse("html-only-gbk.eml")
    assert mail.subject == "设备升级通知"
    assert mail.body == (
        "您好，\n\n以下设备需要升级：\n\n- 网关 A\n- 网关 B\n\n版本\t2.4.1\n\n"
        "详情见升级说明 <https://docs.example.cn/upgrade>。"
    )
    assert "<li>网关 A</li>" in mail.html and 'href="https://docs.example.cn/upgrade"' in mail.html
    for unsafe in ("<script", "alert", "onerror", "<style", "<title"):
        assert unsafe not in mail.html


REPLIES = {
    "qq-mail.eml": "好的，我明天重启服务器再试一下。",
    "foxmail-original.eml": "收到，谢谢！",
    "netease-163.eml": "已经按照步骤操作，问题依旧。",
    "outlook-zh.eml": "您好，\n\n补丁已经安装，系统恢复正常。\n\n谢谢！\n王五",
    "outlook-zh-original-message.eml": "好的，周五晚上可以停机维护。",
    "outlook-en.eml": "Thanks, the patch fixed it.\n\nBest regards,\nJohn",
    "gmail-en.eml": "Yes, it happens every night at 2am.",
    "gmail-zh.eml": "每天凌晨两点左右会出现。",
    "apple-iphone-zh.eml": "重启之后好了，谢谢！",
    "apple-ipad-zh.eml": "已升级到 2.4.1，问题解决。",
    "apple-mail-en.eml": "It works now.",
    "apple-forward.eml": "FYI, see below.",
    # Bottom-posted, format=flowed (the soft break joined), signature after "-- ".
    "thunderbird-bottom-post.eml": "Version 2.4.0 on Debian 12. It started after the upgrade.",
}
QUOTED = {
    "qq-mail.eml": "您好，请重启服务器后再观察一下。",
    "foxmail-original.eml": "您好，问题已经解决。",
    "netease-163.eml": "清除缓存",
    "outlook-zh.eml": "请安装附件中的补丁。",
    "outlook-zh-original-message.eml": "请确认维护窗口。",
    "outlook-en.eml": "Please install the attached patch.",
    "gmail-en.eml": "Does the crash happen at a fixed time?",
    "gmail-zh.eml": "请问崩溃是否在固定时间发生？",
    "apple-iphone-zh.eml": "请重启一下手机客户端。",
    "apple-ipad-zh.eml": "请升级到 2.4.1。",
    "apple-mail-en.eml": "Please update to 2.4.1.",
    "apple-forward.eml": "Disk /var is 98% full.",
    "thunderbird-bottom-post.eml": "Which version are you running?",
}


@pytest.mark.parametrize("name", REPLIES)
def test_reply_is_separated_from_quoted_history(name):
    mail = parse(name)
    assert mail.reply == REPLIES[name]
    assert QUOTED[name] in mail.body  # the full text stays in the body
    assert mail.charset_problems == []


def test_reply_headers_for_threading():
    mail = parse("qq-mail.eml")
    assert mail.subject == "回复：[#1042] 服务器无法启动"
    assert mail.in_reply_to == "ticket-1042.1@aftercare.example"
    assert mail.references == ["ticket-1042.0@aftercare.example", "ticket-1042.1@aftercare.example"]
    assert mail.date.isoformat() == "2026-11-24T02:30:00+00:00"


def test_inline_image_is_kept_with_its_content_id():
    mail = parse("outlook-inline-image.eml")
    [image] = mail.attachments
    assert (image.filename, image.content_type, image.inline) == ("image001.png", "image/png", True)
    assert image.content_id == "image001.png@01DB3E2A.5C3F1B40"
    assert image.data.startswith(b"\x89PNG") and image.size == len(image.data) == 72
    assert 'src="cid:image001.png@01DB3E2A.5C3F1B40"' in mail.html


def test_forwarded_message_is_an_eml_attachment_and_its_text_is_in_the_body():
    mail = parse("forward-as-attachment.eml")
    [forwarded] = mail.attachments
    assert (forwarded.filename, forwarded.content_type) == ("打印机报错.eml", "message/rfc822")
    assert parse_message(forwarded.data).body == "打印机显示错误 E-102。"
    assert "From: 分公司 <branch@example.cn>" in mail.body and "打印机显示错误 E-102。" in mail.body
    assert mail.reply == "Please look at the mail below from our branch office."


def test_winmail_dat_is_kept_as_an_attachment():
    mail = parse("outlook-winmail-dat.eml")
    assert [(a.filename, a.content_type, a.size) for a in mail.attachments] == [
        ("winmail.dat", "application/ms-tnef", 1028)
    ]
    assert mail.attachments[0].data.startswith(b"\x78\x9f\x3e\x22")
    assert mail.body == "Notes attached."


@pytest.mark.parametrize(
    ("name", "auto_reply", "bounce"),
    [
        ("auto-reply-zh.eml", True, False),
        ("out-of-office-en.eml", True, False),
        ("bounce-dsn.eml", True, True),
        ("qq-mail.eml", False, False),
        ("gmail-en.eml", False, False),
    ],
)
def test_auto_replies_and_bounces_are_flagged(name, auto_reply, bounce):
    mail = parse(name)
    assert (mail.auto_reply, mail.bounce) == (auto_reply, bounce)


def test_bounce_keeps_the_report_parts():
    mail = parse("bounce-dsn.eml")
    assert mail.from_email == "mailer-daemon@mx.aftercare.example"
    assert "550 5.1.1 User unknown" in mail.body
    assert [a.content_type for a in mail.attachments] == ["message/delivery-status", "text/rfc822-headers"]
    assert b"Status: 5.1.1" in mail.attachments[0].data


def test_broken_header_lines_do_not_lose_the_message():
    mail = parse("broken-headers.eml")
    assert mail.subject == "服务器 down"
    assert (mail.from_name, mail.from_email) == ("broken sender", "broken@example.com")
    assert mail.to == ["support@aftercare.example"]
    assert mail.message_id == "no-brackets@example.com"
    assert mail.date is None
    assert mail.body == "Body text."
