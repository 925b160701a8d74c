"""Reply separation on plain text, for the markers each client writes, and HTML to text."""

from __future__ import annotations

import pytest

from support.mail.html import sanitise, to_text
from support.mail.reply import extract_reply

NEW = "新的回复内容。\nSecond line."


@pytest.mark.parametrize(
    "history",
    [
        # QQ Mail and Foxmail
        '------------------ 原始邮件 ------------------\n发件人: "客服"<s@a.cn>;\n发送时间: 2026年11月20日\n\n旧内容',
        '------------------&nbsp;Original&nbsp;------------------\nFrom: &nbsp;"S"<s@a.cn>;\n\n旧内容',
        "------------------\u00a0Original\u00a0------------------\n旧内容",
        # NetEase 163/126
        '在 2026-11-20 10:00:00，"客服" <s@a.cn> 写道：\n>旧内容',
        'At 2026-11-20 10:00:00, "Support" <s@a.cn> wrote:\n>old',
        # Outlook zh and en
        "-----原始邮件-----\n发件人: 客服\n发送时间: 2026年11月20日 10:00\n\n旧内容",
        "________________________________\n发件人: 客服 <s@a.cn>\n发送时间: 2026年11月20日 10:00\n收件人: 我\n\n旧内容",
        "发件人: 客服 <s@a.cn>\n发送时间: 2026年11月20日 10:00\n收件人: 我\n主题: 旧\n\n旧内容",
        "寄件者: 客服 <s@a.cn>\n寄件日期: 2026年11月20日 10:00\n\n舊內容",
        "-----Original Message-----\nFrom: Support\nSent: Friday\n\nold",
        "From: Support <s@a.cn>\nSent: Friday, November 20, 2026 10:00 AM\nTo: Me\nSubject: old\n\nold",
        "From: Support <s@a.cn>\nDate: Friday, November 20, 2026 at 10:00\nTo: Me\n\nold",
        # Gmail en (wrapped inside the address), zh, ja
        "On Tue, Nov 24, 2026 at 10:00 AM Support <\ns@a.cn> wrote:\n\n> old",
        "On Tue, Nov 24, 2026 at 10:00 AM Support <s@a.cn> wrote:\n> old",
        "2026年11月24日周二 10:00，Support <s@a.cn> 写道：\n\n> 旧内容",
        "Support <s@a.cn> 于2026年11月24日周二 10:00写道：\n\n> 旧内容",
        "2026年11月24日(火) 10:00 山田 <s@a.jp>:\n\n> 旧内容",
        # Apple Mail, Thunderbird
        "On Nov 24, 2026, at 10:00, Support <s@a.cn> wrote:\n\n> old",
        "> 在 2026年11月24日，10:00，客服 <s@a.cn> 写道：\n> \n> 旧内容",
        "Begin forwarded message:\n\nFrom: X\n\nold",
        "以下是转发的邮件：\n\n发件人: X\n\n旧内容",
        "-------- Forwarded Message --------\nSubject: \told\n\nold",
        "---------- Forwarded message ---------\nFrom: X\n\nold",
        "> plain quoted\n> lines",
    ],
)
def test_history_is_cut(history):
    assert extract_reply(f"{NEW}\n\n{history}\n") == NEW


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nJohn Smith\nExample Corp",
        "--\nJohn",
        "发自我的iPhone",
        "发自我的 iPhone",
        "Sent from my iPhone",
        "Sent from my Huawei phone",
        "从我的 iPad 发送",
        "从我的iPhone发送",
        "发自网易邮箱大师",
        "Get Outlook for iOS",
    ],
)
def test_signature_is_cut(signature):
    assert extract_reply(f"{NEW}\n\n{signature}\n") == NEW
    assert extract_reply(f"{NEW}\n\n{signature}\n\n> 在 2026年11月24日，X <a@b.c> 写道：\n> old\n") == NEW


def test_bottom_posting_keeps_the_answer_under_the_quote():
    text = "On Tue, Nov 24, 2026 at 10:00 AM Support <s@a.cn> wrote:\n> Which version?\n> Thanks\n\n2.4.0\n-- \nJohn"
    assert extract_reply(text) == "2.4.0"


def test_interleaved_answers_keep_their_context():
    text = "> Which version?\n2.4.0\n\n> Which OS?\nDebian 12\n\n> old trailing quote"
    assert extract_reply(text) == "> Which version?\n2.4.0\n\n> Which OS?\nDebian 12"


@pytest.mark.parametrize(
    "text",
    [
        "From: the support page I learned that\nthe service restarts nightly.",
        "He wrote: the server is down.",
        "Sent from my iPhone, the app crashes when I open it.\nPlease help.",
        "The separator -- is used in our config file.",
        "Version 2 -- the new one.\n\nIt works.",
    ],
)
def test_ordinary_text_is_not_mistaken_for_history(text):
    assert extract_reply(text) == text


def test_all_history_gives_an_empty_reply():
    assert extract_reply("-------- Forwarded Message --------\nFrom: X\n\nold") == ""


def test_html_to_text_keeps_structure_and_marks_quotes():
    html = (
        "<div>Hello <b>world</b>,<br>second&nbsp;line</div><ul><li>one</li><li>two</li></ul>"
        "<ol><li>a</li><li>b</li></ol><table><tr><td>k</td><td>v</td></tr></table>"
        '<p><a href="https://x.example/a">the docs</a> <a href="https://x.example/b">https://x.example/b</a></p>'
        "<blockquote>quoted<br>line</blockquote><pre>  code\n   indented</pre><style>p{}</style><script>x()</script>"
    )
    assert to_text(html) == (
        "Hello world,\nsecond line\n- one\n- two\n1. a\n2. b\n\nk\tv\n\n"
        "the docs <https://x.example/a> https://x.example/b\n\n> quoted\n> line\n\n  code\n   indented"
    )


def test_html_quote_is_cut_like_plain_text():
    html = (
        '<div dir="ltr">Fixed, thanks.</div><div class="gmail_quote">On Tue, Nov 24, 2026 at 10:00 AM X '
        "&lt;x@a.cn&gt; wrote:<br><blockquote>old</blockquote></div>"
    )
    assert extract_reply(to_text(html)) == "Fixed, thanks."


def test_sanitise_removes_active_content_and_keeps_cid_images():
    html = (
        '<p onclick="x()">Hi<script>alert(1)</script><img src="cid:a@b" onerror="x()">'
        '<a href="javascript:alert(1)">bad</a><iframe src="https://evil"></iframe></p>'
    )
    assert sanitise(html) == '<p>Hi<img src="cid:a@b"><a rel="noopener noreferrer nofollow">bad</a></p>'
