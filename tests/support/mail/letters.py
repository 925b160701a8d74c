"""Writing test mails the way a plain client would: `letter(...)` returns raw RFC 5322 bytes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

_seq = itertools.count(1)


def letter(
    *,
    sender: str = "Tom Baker <tom.baker@northwind.example>",
    to: str = "support@aftercare.local",
    subject: str = "The label printer jams",
    body: str = "Every third label jams since the update.\n",
    message_id: str | None = "auto",
    in_reply_to: str | None = None,
    references: list[str] | tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    if message_id == "auto":
        message_id = f"letter-{next(_seq)}@mail.northwind.example"
    if message_id:
        msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def reply_to(raw_outgoing: bytes, *, sender: str, body: str = "Thanks, it works again.\n", **kwargs) -> bytes:
    """A client's answer to one of our mails: In-Reply-To and References point at it."""
    from email import message_from_bytes

    original = message_from_bytes(raw_outgoing, policy=policy.default)
    their_id = original["Message-ID"].strip("<>")
    references = [r.strip("<>") for r in (original.get("References") or "").split()] + [their_id]
    return letter(
        sender=sender,
        subject=kwargs.pop("subject", "Re: " + original["Subject"]),
        body=body,
        in_reply_to=their_id,
        references=references,
        **kwargs,
    )
