"""Plain outbound mail for account messages (invitations, confirmations).

Ticket notifications get their own reliable outbox in the email-channel work; this only needs to get a
link to a person. Without a configured server the message is logged, which is what a newcomer running
`make run` wants to see.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from core.outbox import after_commit


def queue_mail(to: str, subject: str, body: str) -> None:
    """Send a text mail once the current transaction commits."""
    after_commit(_send, to, subject, body)


def _send(to: str, subject: str, body: str) -> None:
    app = current_app
    msg = EmailMessage()
    msg["From"] = app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    app.extensions.setdefault("aftercare_sent_mail", []).append(msg)
    server = app.config.get("MAIL_SERVER")
    if not server:
        # Warning level so a newcomer running `make run` sees invitation and confirmation links.
        app.logger.warning("mail to %s (no MAIL_SERVER configured):\n%s\n%s", to, subject, body)
        return
    with smtplib.SMTP(server, int(app.config["MAIL_PORT"]), timeout=10) as smtp:
        smtp.send_message(msg)
