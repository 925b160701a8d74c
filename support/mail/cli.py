"""`flask mail ...`: see what the parser makes of a message without touching the database."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from support.mail.parse import ParsedMail, parse_message

mail_cli = AppGroup("mail", help="Inbound mail.")


@mail_cli.command("parse")
@click.argument("files", nargs=-1, required=True)
def parse_command(files: tuple[str, ...]) -> None:
    """Print one JSON line per message file ("-" reads stdin); writes nothing."""
    failed = False
    for name in files:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else _read(name)
        except OSError as exc:
            failed = True
            click.echo(json.dumps({"file": name, "error": exc.strerror or str(exc)}, ensure_ascii=False))
            continue
        click.echo(json.dumps(summary(name, parse_message(raw)), ensure_ascii=False))
    if failed:
        raise SystemExit(1)


def summary(name: str, mail: ParsedMail) -> dict:
    """The JSON object DESIGN.md specifies for `mail parse`."""
    return {
        "file": name,
        "subject": mail.subject,
        "from_email": mail.from_email,
        "from_name": mail.from_name,
        "to": mail.to,
        "cc": mail.cc,
        "message_id": mail.message_id,
        "in_reply_to": mail.in_reply_to,
        "references": mail.references,
        "body": mail.body,
        "reply": mail.reply,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size} for a in mail.attachments
        ],
        "auto_reply": mail.auto_reply,
        "bounce": mail.bounce,
        "charset_problems": mail.charset_problems,
    }


def _read(name: str) -> bytes:
    with open(name, "rb") as handle:
        return handle.read()
