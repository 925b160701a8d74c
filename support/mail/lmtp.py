"""The LMTP receiver (aiosmtpd): an MTA hands each message over and learns at once whether we took it.

Every message goes through `ingest` in a worker thread with its own app context. "250" means the
mail is committed (whatever its outcome: created, appended, duplicate, ignored, quarantined); a
temporary failure answers "451" so the MTA keeps the mail and retries. LMTP answers once per
recipient: one mail to two of our addresses is still filed once.

`flask mail lmtp` runs it in the foreground; `make run` starts it on 127.0.0.1:2525.
"""

from __future__ import annotations

import asyncio

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from flask import Flask

from support.mail.ingest import TemporaryFailure, ingest


class IngestHandler:
    """aiosmtpd handler: DATA -> ingest."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        raw = envelope.original_content or b""
        loop = asyncio.get_running_loop()
        try:
            status = await loop.run_in_executor(None, self._ingest, raw, session.peer)
        except Exception:  # never leave the MTA without an answer; it retries on 4xx
            self.app.logger.exception("LMTP: ingest failed")
            status = "451 4.3.0 Temporary failure, try again later"
        return "\r\n".join([status] * max(len(envelope.rcpt_tos), 1))

    def _ingest(self, raw: bytes, peer) -> str:
        with self.app.app_context():
            try:
                result = ingest(raw, source=f"lmtp:{_peer(peer)}")
            except TemporaryFailure as exc:
                self.app.logger.warning("LMTP: temporary failure: %s", exc)
                return "451 4.3.0 Temporary failure, try again later"
        return f"250 2.0.0 {result.action}" + (f" #{result.ticket}" if result.ticket else "")


class LMTPController(Controller):
    """aiosmtpd's threaded controller speaking LMTP instead of SMTP."""

    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def make_server(app: Flask, host: str | None = None, port: int | None = None) -> LMTPController:
    """A stopped receiver for `app`; `.start()` listens in a background thread, `.stop()` ends it."""
    config = app.config
    return LMTPController(
        IngestHandler(app),
        hostname=host or config["MAIL_LMTP_HOST"],
        port=int(port or config["MAIL_LMTP_PORT"]),
        data_size_limit=config["MAX_CONTENT_LENGTH"],
        server_hostname="aftercare",
        ready_timeout=10,
    )


def _peer(peer) -> str:
    return peer[0] if isinstance(peer, tuple) and peer else str(peer or "")
