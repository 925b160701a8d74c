"""The IMAP poller: unseen mail of each configured mailbox goes through `ingest`.

Each message is fetched with BODY.PEEK[] (which leaves it unseen) and marked seen, or moved to
`move_to`, only after `ingest` committed. One over MAX_CONTENT_LENGTH is not downloaded: it stays,
seen and flagged, for a person to deal with. A crash in between leaves it unseen; the next pass fetches
it again and `ingest` answers `duplicate` when it had been committed after all. A temporary failure
(database down) ends the pass with the rest untouched.

MAIL_IMAP_ACCOUNTS is a list of {"host", "port", "user", "password", "ssl" (default true), "folder"
(default INBOX), "move_to" (optional), "limit" (default 200 per pass)}; from the environment as JSON:
AFTERCARE_MAIL_IMAP_ACCOUNTS='[{"host": "imap.example.com", "user": "support", "password": "..."}]'.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
from collections import Counter
from datetime import datetime

from flask import current_app

from core.failpoints import failpoint
from support.mail.ingest import TemporaryFailure, ingest, size_text

TIMEOUT = 30
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The mailbox could not be read (connection, login, folder)."""


def poll_all(now: datetime | None = None) -> Counter:
    """One pass over every configured mailbox; a failing mailbox is logged and the others go on."""
    counts: Counter = Counter()
    for account in current_app.config["MAIL_IMAP_ACCOUNTS"]:
        try:
            counts += poll(account, now=now)
        except (MailboxError, TemporaryFailure) as exc:
            current_app.logger.warning("IMAP %s@%s: %s", account.get("user"), account.get("host"), exc)
            counts["failed"] += 1
    return counts


def poll(account: dict, *, now: datetime | None = None) -> Counter:
    """Fetch and file the unseen mail of one mailbox; returns a count per action.

    Raises MailboxError when the mailbox cannot be read and TemporaryFailure when our side cannot
    take mail now; either way, what was not committed stays unseen.
    """
    folder = account.get("folder", "INBOX")
    source = f"imap:{account.get('user')}@{account.get('host')}/{folder}"[:100]
    counts: Counter = Counter()
    try:
        client = _connect(account)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"cannot log in: {exc}") from exc
    try:
        status, _data = client.select(_quote(folder))
        if status != "OK":
            raise MailboxError(f"cannot open folder {folder!r}")
        uids = _unseen(client)[: int(account.get("limit", 200))]
        largest = current_app.config["MAX_CONTENT_LENGTH"]
        sizes = _sizes(client, uids) if uids else {}
        for uid in uids:
            if sizes.get(uid, 0) > largest:
                _set_aside(client, uid, sizes[uid], largest, source)
                counts["too_large"] += 1
                continue
            raw = _fetch(client, uid)
            if raw is None:
                continue  # expunged by someone else meanwhile
            result = ingest(raw, source=source, now=now)
            failpoint("mail.imap.before_seen")
            _done(client, uid, account)  # only now: the mail is committed
            counts[result.action] += 1
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(str(exc)) from exc
    finally:
        _logout(client)
    return counts


def _connect(account: dict) -> imaplib.IMAP4:
    ssl = account.get("ssl", True)
    port = int(account.get("port") or (993 if ssl else 143))
    cls = imaplib.IMAP4_SSL if ssl else imaplib.IMAP4
    client = cls(account["host"], port, timeout=TIMEOUT)
    try:
        client.login(account["user"], account["password"])
    except Exception:
        _logout(client)
        raise
    return client


def _unseen(client: imaplib.IMAP4) -> list[bytes]:
    status, data = client.uid("SEARCH", None, "UNSEEN")
    if status != "OK":
        raise MailboxError(f"search failed: {data!r}")
    return b" ".join(d for d in data if d).split()


def _sizes(client: imaplib.IMAP4, uids: list[bytes]) -> dict[bytes, int]:
    """{uid: size in bytes} of the messages, asked in one command before any is downloaded."""
    status, data = client.uid("FETCH", b",".join(uids), "(RFC822.SIZE)")
    if status != "OK":
        raise MailboxError(f"fetch of sizes failed: {data!r}")
    sizes = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        uid, size = _UID.search(line or b""), _SIZE.search(line or b"")
        if uid and size:
            sizes[uid.group(1)] = int(size.group(1))
    return sizes


def _set_aside(client: imaplib.IMAP4, uid: bytes, size: int, largest: int, source: str) -> None:
    """A mail larger than any we take (MAX_CONTENT_LENGTH, as at the LMTP door) is not downloaded:
    it stays in the mailbox, flagged for a person and marked seen so later passes skip it."""
    current_app.logger.warning(
        "%s: message UID %s is %s, over the %s limit: left in the mailbox, flagged",
        source,
        uid.decode(),
        size_text(size),
        size_text(largest),
    )
    client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Flagged)")


def _fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise MailboxError(f"fetch {uid!r} failed: {data!r}")
    parts = [item for item in data if isinstance(item, tuple)]
    if len(parts) == 1:
        return parts[0][1]  # some servers name the UID after the literal, not before it
    for head, raw in parts:
        if (match := _UID.search(head)) and match.group(1) == uid:
            return raw
    return None


def _done(client: imaplib.IMAP4, uid: bytes, account: dict) -> None:
    client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
    if target := account.get("move_to"):
        if "MOVE" in client.capabilities:
            client.uid("MOVE", uid, _quote(target))
        else:
            client.uid("COPY", uid, _quote(target))
            client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
            # UID EXPUNGE removes only this message, not whatever else someone marked deleted.
            if "UIDPLUS" in client.capabilities:
                client.uid("EXPUNGE", uid)
            else:
                client.expunge()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _logout(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()
