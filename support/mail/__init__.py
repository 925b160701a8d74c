"""Email channel.

Inbound, parsing (never writes anything):
- parse.py: `parse_message(raw bytes) -> ParsedMail`, the entry point;
- mime.py: which MIME parts are the body and which are attachments;
- headers.py, charsets.py: RFC 2047/2231 decoding and charset fall-backs;
- html.py: HTML to text, HTML sanitising; reply.py: quoted history and signatures; noise.py: auto-replies
  and bounces.

Inbound, filing:
- ingest.py: `ingest(raw)`, the one function every way in calls (dedupe, noise, sender, thread, ticket);
- threading.py: which ticket a mail answers; senders.py: who wrote it and whether they may;
- imap.py (poller), lmtp.py (receiver), api.py (`POST /api/v1/mail/inbound`), cli.py (`flask mail ...`);
- models.py: the inbound log (`InboundMail`, raw message and outcome); views.py: its admin pages.

Outbound:
- notify.py: ticket notifications from templates/mail/, in the recipient's language;
- outbox.py: the `[#NUMBER]` tag and threading headers; the outbox itself and its sender are in core
  (core/mail.py, core/mail_models.py), which account mail and SLA warnings use too;
- jobs.py: the outbox drain and the IMAP poll.
"""
