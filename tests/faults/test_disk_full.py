"""The attachment disk full: a clear error where the file was given, nothing half-written anywhere, and
the same request succeeds once there is room again.

UPLOAD_DIR is a real 256 KiB tmpfs, nearly filled. Where mounting is not permitted, ENOSPC is injected
at the write instead (core/failpoints.py), and the test says so in its output.
"""

from __future__ import annotations

import errno
import io
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from core import failpoints
from support.mail.models import InboundMail
from support.models import Attachment, Message, Ticket
from tests.faults.conftest import Desk, csrf_token, signed_in_client
from tests.support.mail.letters import letter

ROOM = 64 * 1024  # what is left on the disk: the first file fits, the second does not
SMALL = b"small file\n" * 1800  # about 20 KB
LARGE = b"large log line\n" * 6500  # about 100 KB


class FullDisk:
    def __init__(self, folder: Path, monkeypatch) -> None:
        self.folder = folder
        self.monkeypatch = monkeypatch
        mount = ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)]
        self.mounted = subprocess.run(mount, capture_output=True).returncode == 0
        self.ballast = folder / "ballast"
        if self.mounted:
            try:
                self._fill()
            except BaseException:
                self.release()
                raise
        else:
            print("mount not permitted here: ENOSPC is injected at the second attachment write instead")
            monkeypatch.setattr(failpoints, "_hits", Counter())
            monkeypatch.setenv("AFTERCARE_FAILPOINTS", "attachment.write=enospc@2")

    def _fill(self) -> None:
        with self.ballast.open("wb", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
            out.truncate(out.tell() - ROOM)

    def make_room(self) -> None:
        if self.mounted:
            self.ballast.unlink()
        else:
            self.monkeypatch.delenv("AFTERCARE_FAILPOINTS")

    def files(self) -> list[Path]:
        return sorted(p for p in self.folder.rglob("*") if p.is_file() and p != self.ballast)

    def release(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], check=True)


@pytest.fixture
def full_disk(desk: Desk, monkeypatch):
    disk = FullDisk(desk.upload_dir, monkeypatch)
    yield disk
    disk.release()


def file_ticket(browser, **fields):
    form = browser.get("/portal/tickets/new")
    return browser.post(
        "/portal/tickets/new",
        data={
            "csrf_token": csrf_token(form.text),
            "kind": "question",
            "priority": "normal",
            **fields,
            "attachments": [(io.BytesIO(SMALL), "settings.txt"), (io.BytesIO(LARGE), "backup.log")],
        },
        content_type="multipart/form-data",
    )


def test_a_full_disk_refuses_the_ticket_form_clearly_and_keeps_what_was_typed(desk, full_disk):
    seed = desk.seed()
    browser = signed_in_client(desk, seed.customer_email)
    typed = {"subject": "Nightly backup fails", "body": "The job ends with code 3 since Friday."}

    refused = file_ticket(browser, **typed)
    assert refused.status_code == 400
    next_to_the_field = re.search(r'id="attachments-error"[^>]*>([^<]*)<', refused.text)
    assert "backup.log could not be saved: the server has no room for files right now" in next_to_the_field[1]
    assert 'value="Nightly backup fails"' in refused.text and typed["body"] in refused.text
    assert (desk.count(Ticket), desk.count(Message), desk.count(Attachment)) == (0, 0, 0)
    assert full_disk.files() == []  # settings.txt, written before the disk gave out, is gone too

    full_disk.make_room()
    filed = file_ticket(browser, **typed)
    assert filed.status_code == 303
    assert desk.count(Attachment) == 2 and len(full_disk.files()) == 2


def test_a_full_disk_makes_inbound_mail_come_back_later_rather_than_half_stored(desk, full_disk):
    seed = desk.seed()
    api = desk.app.test_client()
    headers = {"Authorization": f"Bearer {seed.engineer_token}", "Content-Type": "message/rfc822"}
    raw = letter(
        subject="Backup log attached",
        attachments=[("settings.txt", "text/plain", SMALL), ("backup.log", "text/plain", LARGE)],
    )

    refused = api.post("/api/v1/mail/inbound", data=raw, headers=headers)
    assert refused.status_code == 503 and refused.headers["Retry-After"]  # the MTA keeps it and retries
    assert (desk.count(InboundMail), desk.count(Ticket), desk.count(Attachment)) == (0, 0, 0)
    assert full_disk.files() == []

    full_disk.make_room()
    taken = api.post("/api/v1/mail/inbound", data=raw, headers=headers)
    assert taken.status_code == 200 and taken.json["action"] == "created"
    assert desk.count(Attachment) == 2 and len(full_disk.files()) == 2
