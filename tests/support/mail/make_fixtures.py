"""Writes the .eml fixtures in fixtures/: `python -m tests.support.mail.make_fixtures`.

Each message is assembled byte by byte (mailbuilder.py) the way the named client writes it, so every
encoding quirk (GBK under a gb2312 label, Microsoft's ISO-2022-JP, raw 8-bit headers, split
encoded-words) is exactly what a test expects. The expectations live in the test modules; the files
are committed so that other tools (ingestion tests, benchmarks, `flask mail parse`) can read them.
"""

from __future__ import annotations

import base64
from pathlib import Path

from tests.support.mail.mailbuilder import (
    REPLY_TO_1042,
    SUPPORT,
    b64,
    common,
    ew,
    html_part,
    iso2022jp_ms,
    message,
    multipart,
    part,
    single,
    text_part,
)
from tests.support.mail.reply_fixtures import reply_fixtures

FIXTURES = Path(__file__).parent / "fixtures"


def charset_fixtures() -> dict[str, bytes]:
    f: dict[str, bytes] = {}
    f["foxmail-gbk-under-gb2312.eml"] = single(
        common(
            ew("报修：镕铸车间的服务器无法启动", "gbk", label="gb2312"),
            f"{ew('张三', 'gb2312')} <zhangsan@example.cn>",
            X_Mailer="Foxmail 7.2.25.228[cn]",
        ),
        text_part(
            "您好：\n\n镕铸车间的服务器今天早上无法启动，请尽快安排工程师。\n\n联系人：王喆\n电话：138-0000-0000\n",
            "gbk",
            label="gb2312",
        ),
    )
    f["big5-hkscs.eml"] = single(
        common(ew("系統升級問題", "big5"), f"{ew('陳大文', 'big5')} <chan@example.hk>"),
        text_part(
            "你好，\n\n我哋部機升級之後開唔到㗎，請幫手睇下。\n\n陳大文\n",
            "big5hkscs",
            "quoted-printable",
            label="big5",
        ),
    )
    f["outlook-iso-2022-jp.eml"] = single(
        common(
            ew("【至急】サーバー①号機が停止しました", "ISO-2022-JP"),
            f"{ew('山田太郎', 'ISO-2022-JP')} <yamada@example.jp>",
            X_Mailer="Microsoft Outlook 16.0",
        ),
        text_part(
            "サポート御中\n\n㈱山田製作所の山田です。\nｻｰﾊﾞｰ①号機が今朝から停止しています。\n\nよろしくお願いいたします。\n",
            "ISO-2022-JP",
            "7bit",
        ),
    )
    f["shift-jis-nec.eml"] = single(
        common(ew("①号機の件", "cp932", label="Shift_JIS"), "Sato <sato@example.jp>"),
        text_part("㈱佐藤商事です。①号機は復旧しました。\n", "cp932", "8bit", label="Shift_JIS"),
    )
    korean = "ks_c_5601-1987"
    f["outlook-ks-c-5601.eml"] = single(
        common(
            ew("똠방 서버 점검 요청", "cp949", label=korean),
            f"{ew('김철수', 'cp949', label=korean)} <kim@example.kr>",
        ),
        text_part(
            "안녕하세요.\n\n똠방 사무실 서버 점검을 요청드립니다.\n\n김철수 드림\n", "cp949", label=korean
        ),
    )
    f["undeclared-8bit-gbk.eml"] = single(
        [
            ("From", "李四".encode("gbk") + b" <lisi@example.cn>"),
            ("To", SUPPORT),
            ("Subject", "打印机卡纸".encode("gbk")),
            ("Date", "Tue, 24 Nov 2026 10:30:00 +0800"),
            ("Message-ID", "<8bit-gbk@example.cn>"),
            ("MIME-Version", "1.0"),
        ],
        part("text/plain", "打印机一直卡纸，怎么处理？\r\n".encode("gbk"), "8bit"),
    )
    f["undeclared-8bit-utf8.eml"] = single(
        [
            ("From", "王五 <wangwu@example.cn>".encode()),
            ("To", SUPPORT),
            ("Subject", "登录失败 – login fails".encode()),
            ("Date", "Tue, 24 Nov 2026 10:30:00 +0800"),
            ("Message-ID", "<8bit-utf8@example.cn>"),
            ("MIME-Version", "1.0"),
        ],
        part("text/plain; charset=utf-8", "输入密码后提示登录失败。\r\n".encode(), "8bit"),
    )
    f["unknown-charset.eml"] = single(
        common("=?x-unknown-foo?Q?caf=C3=A9_order?=", "Jean <jean@example.fr>"),
        part('text/plain; charset="x-unknown-foo"', "Ünïcödé body – 中文\r\n".encode(), "8bit"),
    )
    f["wrong-declared-charset.eml"] = single(
        common(ew("Réunion – 会议", "utf-8", "Q", label="iso-8859-1"), "Marie <marie@example.fr>"),
        part('text/plain; charset="gb2312"', b64("会议纪要已经上传，请查收。\r\n".encode()), "base64"),
    )
    f["lossy-utf8.eml"] = single(
        common("Broken bytes", "Bob <bob@example.com>"),
        part("text/plain; charset=utf-8", b"The log says: caf\xc3\xa9 \xff\xfe done.\r\n", "8bit"),
    )
    f["jis-raw-subject.eml"] = single(
        [
            ("From", "Suzuki <suzuki@example.jp>"),
            ("To", SUPPORT),
            ("Subject", iso2022jp_ms("請求書の件")),
            ("Date", "Tue, 24 Nov 2026 10:30:00 +0900"),
            ("Message-ID", "<jis-raw@example.jp>"),
            ("MIME-Version", "1.0"),
        ],
        part("text/plain; charset=ISO-2022-JP", iso2022jp_ms("請求書を再送してください。\r\n"), "7bit"),
    )
    subject = "中文主题：附件测试".encode()
    mixed = "------------0F6A2B3C4D5E6F708192A3B4"
    f["encoded-names-and-filenames.eml"] = message(
        common(
            f"=?UTF-8?B?{base64.b64encode(subject[:4]).decode()}?=\n"
            f" =?UTF-8?B?{base64.b64encode(subject[4:]).decode()}?=",
            '"=?utf-8?B?5byg5LiJ?=" <ZhangSan@Example.CN>',
            Cc='=?UTF-8?Q?=E6=9D=8E=E5=9B=9B?= <lisi@example.cn>, "Wang, Wu" <wangwu@example.cn>',
            Content_Type=f'multipart/mixed;\n boundary="{mixed}"',
        ),
        multipart(
            mixed,
            [
                text_part("附件是日志和报告。\n", "utf-8", "8bit"),
                part(
                    "application/pdf",
                    b64(b"%PDF-1.4 report"),
                    "base64",
                    "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf",
                ),
                part(
                    f'text/plain; name="{ew("日志.txt", "gb2312")}"',
                    b64("日志内容\r\n".encode("gbk")),
                    "base64",
                    f'Content-Disposition: attachment; filename="{ew("日志.txt", "gb2312")}"',
                ),
                part(
                    "application/octet-stream",
                    b64(b"PK\x03\x04 sheet"),
                    "base64",
                    "Content-Disposition: attachment;\r\n filename*0*=utf-8''%E8%AE%BE%E5%A4%87;\r\n"
                    ' filename*1*=%E6%B8%85%E5%8D%95;\r\n filename*2=".xlsx"',
                ),
                b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
                b'Content-Disposition: attachment; filename="'
                + "截图.png".encode("gbk")
                + b'"\r\n\r\n'
                + b64(b"\x89PNG\r\n\x1a\n fake"),
            ],
            b"This is a multi-part message in MIME format.",
        ),
    )
    html = (
        '<html><head><meta charset="gbk"><style>p{color:red}</style><title>通知</title></head>\n'
        "<body><p>您好，</p><p>以下设备需要升级：</p><ul><li>网关 A</li><li>网关 B</li></ul>"
        "<table><tr><td>版本</td><td>2.4.1</td></tr></table>"
        '<p>详情见<a href="https://docs.example.cn/upgrade">升级说明</a>。</p>'
        '<script>alert(\'x\')</script><img src="https://track.example/p.gif" onerror="alert(1)"></body></html>\n'
    )
    f["html-only-gbk.eml"] = single(
        common(ew("设备升级通知", "gbk"), f"{ew('运维', 'gbk')} <ops@example.cn>"),
        html_part(html, "gbk", "base64"),
    )
    return f


def structure_fixtures() -> dict[str, bytes]:
    f: dict[str, bytes] = {}
    related, inner_alt, mixed = "----=_NextPart_001_0001", "----=_NextPart_002_0002", "------------mixed"
    cid = "image001.png@01DB3E2A.5C3F1B40"
    f["outlook-inline-image.eml"] = message(
        common(
            "Screenshot of the error",
            "John Smith <john.smith@example.com>",
            Content_Type=f'multipart/related;\n type="multipart/alternative";\n boundary="{related}"',
        ),
        multipart(
            related,
            [
                f'Content-Type: multipart/alternative;\r\n boundary="{inner_alt}"\r\n\r\n'.encode()
                + multipart(
                    inner_alt,
                    [
                        text_part(f"The error is in the screenshot:\n\n[cid:{cid}]\n", "us-ascii", "7bit"),
                        html_part(
                            f'<p>The error is in the screenshot:</p><p><img width="320" src="cid:{cid}"></p>',
                            "us-ascii",
                        ),
                    ],
                ),
                part(
                    'image/png; name="image001.png"',
                    b64(b"\x89PNG\r\n\x1a\n" + bytes(range(64))),
                    "base64",
                    f"Content-ID: <{cid}>",
                    'Content-Disposition: inline; filename="image001.png"',
                ),
            ],
        ),
    )
    inner = single(
        [
            ("From", f"{ew('分公司', 'gbk')} <branch@example.cn>"),
            ("To", "it@example.cn"),
            ("Subject", ew("打印机报错", "gbk")),
            ("Date", "Mon, 23 Nov 2026 09:00:00 +0800"),
            ("Message-ID", "<inner-1@example.cn>"),
            ("MIME-Version", "1.0"),
        ],
        text_part("打印机显示错误 E-102。\n", "gbk"),
    )
    f["forward-as-attachment.eml"] = message(
        common(
            "Fwd: printer error",
            "Li Na <lina@example.cn>",
            Content_Type=f'multipart/mixed; boundary="{mixed}"',
        ),
        multipart(
            mixed,
            [
                text_part("Please look at the mail below from our branch office.\n", "utf-8", "7bit"),
                part("message/rfc822", inner, None, "Content-Disposition: attachment"),
            ],
        ),
    )
    tnef = b"\x78\x9f\x3e\x22" + bytes(range(256)) * 4
    f["outlook-winmail-dat.eml"] = message(
        common(
            "Meeting notes",
            "John Smith <john.smith@example.com>",
            Content_Type=f'multipart/mixed; boundary="{mixed}"',
        ),
        multipart(
            mixed,
            [
                text_part("Notes attached.\n", "us-ascii", "7bit"),
                part(
                    'application/ms-tnef; name="winmail.dat"',
                    b64(tnef),
                    "base64",
                    "Content-Disposition: attachment",
                ),
            ],
        ),
    )
    f["broken-headers.eml"] = (
        b"From: broken sender <broken@example.com\r\nTo: support@aftercare.example,, ,\r\n"
        b"Subject: =?utf-8?B?5pyN5Yqh5Zmo?= =?utf-8?Q?_down?=\r\nDate: not a date\r\n"
        b"Message-ID: no-brackets@example.com\r\nContent-Type: text/plain; charset=\r\n"
        b"This line has no colon\r\nX-After: lost\r\n\r\nBody text.\r\n"
    )
    return f


def noise_fixtures() -> dict[str, bytes]:
    f: dict[str, bytes] = {}
    f["auto-reply-zh.eml"] = single(
        common(ew("自动回复: [#1042] 服务器无法启动", "utf-8"), "zhangsan <zhangsan@qq.com>") + REPLY_TO_1042,
        text_part("您好，我正在休假，11月30日返回。\n", "utf-8"),
    )
    f["out-of-office-en.eml"] = single(
        common(
            "Automatic reply: [#1044] Please install the patch",
            "John Smith <john.smith@example.com>",
            X_Auto_Response_Suppress="All",
            Auto_Submitted="auto-replied",
        )
        + REPLY_TO_1042,
        text_part("I am out of the office until December 1.\n", "us-ascii", "7bit"),
    )
    report = "report-boundary"
    f["bounce-dsn.eml"] = message(
        [
            ("Return-Path", "<>"),
            ("From", "MAILER-DAEMON@mx.aftercare.example (Mail Delivery System)"),
            ("To", SUPPORT),
            ("Subject", "Undelivered Mail Returned to Sender"),
            ("Date", "Tue, 24 Nov 2026 10:31:00 +0800"),
            ("Message-ID", "<20261124023100.ABC@mx.aftercare.example>"),
            ("Auto-Submitted", "auto-replied"),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/report; report-type=delivery-status;\n boundary="{report}"'),
        ],
        multipart(
            report,
            [
                part(
                    "text/plain; charset=us-ascii",
                    b"This is the mail system at host mx.aftercare.example.\r\n\r\n"
                    b"I'm sorry to have to inform you that your message could not\r\n"
                    b"be delivered to one or more recipients.\r\n\r\n"
                    b"<nobody@example.com>: host mx.example.com said: 550 5.1.1 User unknown\r\n",
                    "7bit",
                    "Content-Description: Notification",
                ),
                part(
                    "message/delivery-status",
                    b"Reporting-MTA: dns; mx.aftercare.example\r\n\r\n"
                    b"Final-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n",
                    None,
                    "Content-Description: Delivery report",
                ),
                part(
                    "text/rfc822-headers",
                    b"From: support@aftercare.example\r\nTo: nobody@example.com\r\nSubject: [#1050] Welcome\r\n",
                    None,
                    "Content-Description: Undelivered Message Headers",
                ),
            ],
        ),
    )
    return f


def build() -> dict[str, bytes]:
    """Every fixture by file name."""
    return {**charset_fixtures(), **reply_fixtures(), **structure_fixtures(), **noise_fixtures()}


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    fixtures = build()
    for name, data in fixtures.items():
        (FIXTURES / name).write_bytes(data)
    print(f"wrote {len(fixtures)} fixtures to {FIXTURES}")


if __name__ == "__main__":
    main()
