"""The IMAP poller against a real dovecot: mail becomes tickets and is marked seen only after commit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.extensions import db
from support import services
from support.mail import imap
from support.mail.ingest import TemporaryFailure
from support.mail.models import InboundMail
from support.models import Ticket
from tests.support.mail.letters import letter


def tickets() -> list[Ticket]:
    return db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()


def test_unseen_mail_becomes_tickets_and_is_marked_seen(mailbox):
    mailbox.append(
        letter(sender="tom@northwind.example", subject="Printer jams"),
        letter(sender="王芳 <wang@hengtai.cn>", subject="打印机卡纸", body="第三张标签总是卡住。\n"),
    )
    counts = imap.poll(mailbox.account())
    assert counts == {"created": 2}
    assert [t.subject for t in tickets()] == ["Printer jams", "打印机卡纸"]
    assert tickets()[1].messages[0].body == "第三张标签总是卡住。"
    assert (mailbox.unseen(), mailbox.total()) == (0, 2)
    assert imap.poll(mailbox.account()) == {}  # nothing new on the next pass
    sources = db.session.scalars(sa.select(InboundMail.source)).all()
    assert sources == [f"imap:support@127.0.0.1/{mailbox.folder}"] * 2


def test_a_mail_over_the_limit_stays_in_the_mailbox_flagged_and_is_not_downloaded(app, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20_000)
    fetched = []
    monkeypatch.setattr(
        imap, "_fetch", lambda client, uid, real=imap._fetch: fetched.append(uid) or real(client, uid)
    )
    mailbox.append(
        letter(subject="Big one", attachments=[("dump.bin", "application/octet-stream", b"x" * 30_000)]),
        letter(subject="Small one"),
    )
    assert imap.poll(mailbox.account()) == {"too_large": 1, "created": 1}
    assert [t.subject for t in tickets()] == ["Small one"]
    assert len(fetched) == 1  # the big one was never downloaded
    assert (mailbox.unseen(), mailbox.flagged(), mailbox.total()) == (0, 1, 2)
    assert imap.poll(mailbox.account()) == {}  # and is not looked at again


def test_a_crash_between_parsing_and_commit_leaves_the_mail_unseen(mailbox, monkeypatch):
    mailbox.append(letter(subject="First"), letter(subject="Second"))

    class Crash(BaseException):
        """Like the process being killed: nothing after it runs."""

    def crash(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(services, "open_ticket", crash)
    with pytest.raises(Crash):
        imap.poll(mailbox.account())
    db.session.rollback()
    assert tickets() == [] and mailbox.unseen() == 2
    monkeypatch.undo()
    assert imap.poll(mailbox.account()) == {"created": 2}
    assert mailbox.unseen() == 0


def test_a_temporary_failure_ends_the_pass_and_leaves_the_rest_unseen(mailbox, monkeypatch):
    mailbox.append(letter(subject="First"), letter(subject="Second"))
    real = services.open_ticket
    calls = []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "open_ticket", second_fails)
    with pytest.raises(TemporaryFailure):
        imap.poll(mailbox.account())
    assert [t.subject for t in tickets()] == ["First"]
    assert mailbox.unseen() == 1
    assert imap.poll(mailbox.account()) == {"created": 1}
    assert [t.subject for t in tickets()] == ["First", "Second"]


def test_mail_committed_but_not_marked_seen_comes_back_as_a_duplicate(mailbox, monkeypatch):
    mailbox.append(letter(subject="Only once", message_id="once@northwind.example"))
    monkeypatch.setattr(imap, "_done", lambda *args: None)  # the connection dropped before STORE
    assert imap.poll(mailbox.account()) == {"created": 1}
    assert mailbox.unseen() == 1
    monkeypatch.undo()
    assert imap.poll(mailbox.account()) == {"duplicate": 1}
    assert len(tickets()) == 1 and mailbox.unseen() == 0


def test_processed_mail_can_be_moved_to_another_folder(mailbox):
    done = mailbox.folder + "-done"
    mailbox.create(done)
    mailbox.append(letter(subject="Move me"))
    assert imap.poll(mailbox.account(move_to=done)) == {"created": 1}
    assert mailbox.total() == 0 and mailbox.total(done) == 1


def test_a_wrong_password_is_reported_and_other_mailboxes_still_polled(app, mailbox, monkeypatch):
    mailbox.append(letter(subject="Still arrives"))
    accounts = [mailbox.account(password="wrong"), mailbox.account()]
    monkeypatch.setitem(app.config, "MAIL_IMAP_ACCOUNTS", accounts)
    counts = imap.poll_all()
    assert (counts["failed"], counts["created"]) == (1, 1)


def test_flask_mail_poll_runs_one_pass(app, mailbox, monkeypatch):
    import json

    mailbox.append(letter(subject="From the command line"))
    monkeypatch.setitem(app.config, "MAIL_IMAP_ACCOUNTS", [mailbox.account()])
    result = app.test_cli_runner().invoke(args=["mail", "poll"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"created": 1}
