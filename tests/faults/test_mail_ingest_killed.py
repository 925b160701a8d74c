"""Mail ingestion SIGKILLed mid-batch and run again: every mail is stored once, none is lost.

Two doors: the MTA pipe / folder import (`flask mail ingest FILE...`, which commits BATCH mails at a
time) and the IMAP poller (`flask mail poll` against a real dovecot, which marks a mail seen only
after its commit).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from core.extensions import db
from support.mail.cli import BATCH
from support.mail.ingest import mail_key
from support.mail.models import InboundMail
from support.mail.parse import parse_message
from support.models import Message, Ticket
from tests.support.mail.conftest import Mailbox
from tests.support.mail.letters import letter

FIXTURES = Path(__file__).parents[1] / "support" / "mail" / "fixtures"
SHARED = Path(__file__).parents[2].parent / "shared" / "corpus" / "email"  # beside the checkout


def batch(folder: Path, size: int) -> list[Path]:
    """The mail corpus, topped up with plain letters from many customers to `size` files."""
    files = sorted(FIXTURES.glob("*.eml")) + sorted(SHARED.glob("*/*.eml"))
    for n in range(size - len(files)):
        log = [("scan.log", "text/plain", f"log of scanner {n}\n".encode())]
        path = folder / f"letter-{n:03}.eml"
        path.write_bytes(
            letter(
                sender=f"Customer {n} <customer{n % 7}@northwind.example>",
                subject=f"Scanner {n} drops its connection",
                message_id=f"batch-{n}@mail.northwind.example",
                attachments=log if n % 5 == 0 else [],
            )
        )
        files.append(path)
    return files


def lines(output: bytes) -> list[dict]:
    return [json.loads(line) for line in output.decode().splitlines()]


def assert_each_mail_stored_once(desk, raws: list[bytes]) -> None:
    """One first delivery per distinct mail, and exactly one thread message for each one filed."""
    keys = Counter(mail_key(parse_message(raw), raw) for raw in raws)
    with desk.app.app_context():
        first = db.session.execute(
            sa.select(InboundMail.dedupe_key, InboundMail.outcome).where(InboundMail.dedupe_key.is_not(None))
        ).all()
        assert sorted(key for key, _ in first) == sorted(keys), "a mail lost or stored twice"
        filed = [key for key, outcome in first if outcome in ("created", "appended")]
        ids = sa.select(Message.email_message_id).where(Message.email_message_id.is_not(None))
        stored = Counter(db.session.scalars(ids))
        assert stored == Counter(filed)
        created = sum(outcome == "created" for _, outcome in first)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == created


def test_ingest_killed_in_its_second_batch_keeps_the_first_and_the_rerun_files_the_rest_once(desk, tmp_path):
    files = batch(tmp_path, BATCH + 15)
    names = [str(p) for p in files]

    killed = desk.flask("mail", "ingest", *names, AFTERCARE_FAILPOINTS=f"mail.ingest.staged=kill@{BATCH + 8}")
    assert killed.returncode == -9, killed.stderr.decode()
    committed = lines(killed.stdout)
    assert len(committed) == BATCH  # each line is printed once its batch is committed
    assert desk.count(InboundMail) == BATCH  # the second batch died with the process

    again = desk.flask("mail", "ingest", *names)
    assert again.returncode == 0, again.stderr.decode()
    rerun = lines(again.stdout)
    assert [line["file"] for line in rerun] == names
    assert [line["action"] for line in rerun[:BATCH]] == ["duplicate"] * BATCH
    assert [line["ticket"] for line in rerun[:BATCH]] == [line["ticket"] for line in committed]
    assert "duplicate" not in {line["action"] for line in rerun[BATCH:]}
    assert_each_mail_stored_once(desk, [p.read_bytes() for p in files])


def test_poll_killed_between_commit_and_seen_flag_files_nothing_twice(desk, dovecot):
    mailbox = Mailbox(dovecot, f"faults-{desk.folder.name[-20:]}")
    mailbox.create()
    raws = [
        letter(subject=f"Badge reader {n} offline", message_id=f"imap-{n}@northwind.example")
        for n in range(5)
    ]
    mailbox.append(*raws)
    accounts = json.dumps([mailbox.account()])

    # The third mail is committed, then the process dies before it can mark the mail seen.
    killed = desk.flask(
        "mail",
        "poll",
        AFTERCARE_MAIL_IMAP_ACCOUNTS=accounts,
        AFTERCARE_FAILPOINTS="mail.imap.before_seen=kill@3",
    )
    assert killed.returncode == -9, killed.stderr.decode()
    assert desk.count(Ticket) == 3
    assert (mailbox.unseen(), mailbox.total()) == (3, 5)  # the committed third one among them

    again = desk.flask("mail", "poll", AFTERCARE_MAIL_IMAP_ACCOUNTS=accounts)
    assert again.returncode == 0, again.stderr.decode()
    assert json.loads(again.stdout) == {"duplicate": 1, "created": 2}
    assert (mailbox.unseen(), mailbox.total()) == (0, 5)
    assert_each_mail_stored_once(desk, raws)
    assert desk.count(InboundMail) == 6  # five mails, and the log of the one that came twice
