"""Auto-replies, bulk mail and bounces are recognised from headers, subjects and MIME structure."""

from __future__ import annotations

import pytest

from support.mail.parse import parse_message


def mail(headers: str, body: str = "Hello.", subject: str = "Printer problem", sender: str = "a@example.com"):
    raw = f"From: {sender}\r\nTo: support@aftercare.example\r\nSubject: {subject}\r\n{headers}\r\n{body}"
    return parse_message(raw.encode())


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-replied\r\n",
        "Auto-Submitted: auto-generated\r\n",
        "X-Autoreply: yes\r\n",
        "X-Autorespond: Out of office\r\n",
        "X-Auto-Response-Suppress: All\r\n",
        "Precedence: bulk\r\n",
        "Precedence: junk\r\n",
        "Precedence: list\r\n",
        "Precedence: auto_reply\r\n",
        "Return-Path: <>\r\n",
    ],
)
def test_auto_reply_headers(headers):
    assert mail(headers).auto_reply


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Printer problem",
        "Automatic reply: [#1042] Printer problem",
        "AutoReply: Printer problem",
        "Auto: John is out of the office",
        "=?utf-8?B?6Ieq5Yqo5Zue5aSNOiDmiZPljbDmnLo=?=",  # 自动回复: 打印机
        "=?utf-8?B?6Ieq5YuV5Zue6KaG77ya?=",  # 自動回覆：
    ],
)
def test_auto_reply_subjects(subject):
    assert mail("", subject=subject).auto_reply


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ("Auto-Submitted: no\r\n", "Printer problem"),
        ("Precedence: first-class\r\n", "Printer problem"),
        ("", "Re: our out of office process"),
        ("", "How do I set up 自动回复 in the portal?"),
    ],
)
def test_person_written_mail_is_not_an_auto_reply(headers, subject):
    assert not mail(headers, subject=subject).auto_reply


@pytest.mark.parametrize(
    ("headers", "subject", "sender"),
    [
        ("", "Undelivered Mail Returned to Sender", "MAILER-DAEMON@mx.example.com"),
        ("", "Delivery Status Notification (Failure)", "postmaster@example.com"),
        ("X-Failed-Recipients: nobody@example.com\r\n", "Mail delivery failed", "root@mx.example.com"),
        ("Return-Path: <>\r\n", "Undeliverable: [#1042] Printer problem", "exchange@example.com"),
        ("Return-Path: <>\r\n", "=?utf-8?B?57O757uf6YCA5L+h?=", "notice@163.com"),  # 系统退信
    ],
)
def test_bounces(headers, subject, sender):
    assert mail(headers, subject=subject, sender=sender).bounce


def test_a_customer_asking_about_bounces_is_not_a_bounce():
    assert not mail("", subject="Undelivered mail from your system?").bounce


def test_read_receipt_is_an_auto_reply_not_a_bounce():
    headers = 'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary="r"\r\n'
    body = (
        "--r\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
        "--r\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Final-Recipient: rfc822; a@example.com\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n"
        "--r--\r\n"
    )
    parsed = mail(headers, body=body, subject="Read: Printer problem")
    assert (parsed.auto_reply, parsed.bounce) == (True, False)
    assert parsed.body == "Your message was read."
