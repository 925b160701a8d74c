"""`flask mail ...`: parse (no writes), ingest (the MTA pipe), poll (IMAP), lmtp (the receiver), send.

`mail ingest` exits 75 (EX_TEMPFAIL) when a mail could not be taken for a reason that is not the
mail's (the database is down): Postfix, procmail and friends keep such a mail and retry.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from core.mail import deliver_due
from support.mail import imap
from support.mail.ingest import TemporaryFailure, ingest_batch, size_text
from support.mail.parse import ParsedMail, parse_message

mail_cli = AppGroup("mail", help="Inbound and outbound mail.")
EX_TEMPFAIL = 75  # sysexits.h: the MTA retries later
BATCH = 100  # mails per transaction for `mail ingest FILE...`: one commit each, not one per mail


@mail_cli.command("parse")
@click.argument("files", nargs=-1, required=True)
def parse_command(files: tuple[str, ...]) -> None:
    """Print one JSON line per message file ("-" reads stdin); writes nothing."""
    failed = False
    for name in files:
        try:
            raw = _read(name)
        except OSError as exc:
            failed = True
            click.echo(json.dumps({"file": name, "error": _why(exc)}, ensure_ascii=False))
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


class TooLarge(OSError):
    """A mail larger than MAX_CONTENT_LENGTH, the most the LMTP receiver and the API take too."""


def _read(name: str) -> bytes:
    """The bytes of a message file, or of standard input for "-"; a mail over the limit is refused
    after reading one byte more than it, not all of it (the file stays where it is)."""
    largest = current_app.config["MAX_CONTENT_LENGTH"]
    if name == "-":
        raw = sys.stdin.buffer.read(largest + 1)
    else:
        with open(name, "rb") as handle:
            raw = handle.read(largest + 1)
    if len(raw) > largest:
        raise TooLarge(f"larger than {size_text(largest)}, the most a mail may be: not filed")
    return raw


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


@mail_cli.command("ingest")
@click.argument("files", nargs=-1, required=True)
def ingest_command(files: tuple[str, ...]) -> None:
    """File each message ("-" reads one from stdin); one JSON line per message with its action.

    Files are committed BATCH at a time and each line is printed once its mail is committed. Exits
    75 on a temporary failure (that batch and the rest are left for the retry), 1 when a file cannot
    be read or holds a mail over MAX_CONTENT_LENGTH (an MTA then bounces it to its sender).
    """
    failed = False
    for start in range(0, len(files), BATCH):
        names, raws = [], []
        for name in files[start : start + BATCH]:
            try:
                raws.append(_read(name))
                names.append(name)
            except OSError as exc:
                failed = True
                click.echo(json.dumps({"file": name, "error": _why(exc)}, ensure_ascii=False))
        if not raws:
            continue
        try:
            results = ingest_batch(raws, source="pipe" if names == ["-"] else "file")
        except TemporaryFailure as exc:
            click.echo(f"temporary failure, try again later: {exc}", err=True)
            raise SystemExit(EX_TEMPFAIL) from exc
        for name, result in zip(names, results, strict=True):
            click.echo(json.dumps({"file": name, **result.as_dict()}, ensure_ascii=False))
    if failed:
        raise SystemExit(1)


@mail_cli.command("poll")
def poll_command() -> None:
    """Fetch and file the unseen mail of every IMAP mailbox once (MAIL_IMAP_ACCOUNTS)."""
    if not current_app.config["MAIL_IMAP_ACCOUNTS"]:
        raise click.ClickException("no IMAP mailbox configured (AFTERCARE_MAIL_IMAP_ACCOUNTS)")
    counts = imap.poll_all()
    click.echo(json.dumps(dict(counts)))
    if counts.get("failed"):
        raise SystemExit(EX_TEMPFAIL)


@mail_cli.command("send")
def send_command() -> None:
    """Send the queued mail that is due now (the scheduler does this every few seconds)."""
    click.echo(json.dumps(dict(deliver_due())))


@mail_cli.command("lmtp")
@click.option("--host", default=None, help="Address to listen on (MAIL_LMTP_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (MAIL_LMTP_PORT, 2525).")
def lmtp_command(host: str | None, port: int | None) -> None:
    """Run the LMTP receiver in the foreground until interrupted."""
    from support.mail import lmtp  # aiosmtpd and asyncio load only for the command that needs them

    server = lmtp.make_server(current_app._get_current_object(), host, port)
    server.start()
    click.echo(f"LMTP: listening on {server.hostname}:{server.port}")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        server.stop()
