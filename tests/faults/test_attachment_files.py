"""Attachment files live and die with the transaction that wrote them; the sweep takes what a crash left."""

from __future__ import annotations

from datetime import timedelta

from core.db import utcnow
from core.extensions import db
from support.attachments import ORPHAN_GRACE, Upload, store, sweep_orphan_files


def test_a_file_written_in_a_released_savepoint_goes_when_the_transaction_rolls_back(desk):
    with desk.app.app_context():
        with db.session.begin_nested():
            store(Upload("first.txt", b"kept by its savepoint"))
        with db.session.begin_nested() as refused:
            store(Upload("second.txt", b"refused with its savepoint"))
            refused.rollback()
        assert len(desk.files()) == 1  # the second went with its savepoint, the first waits
        db.session.rollback()
    assert desk.files() == []


def test_a_file_written_before_any_sql_still_goes_with_the_rollback(desk):
    with desk.app.app_context():
        store(Upload("early.txt", b"written first thing"))
        db.session.rollback()
    assert desk.files() == []


def test_a_file_another_upload_reused_meanwhile_outlives_the_first_uploads_rollback(desk):
    with desk.app.app_context():
        store(Upload("report.pdf", b"%PDF same bytes"))
        with desk.app.app_context():  # another request, its own session
            store(Upload("copy.pdf", b"%PDF same bytes"))
            db.session.commit()
        db.session.rollback()
    assert len(desk.files()) == 1


def test_the_sweep_takes_only_old_files_that_no_row_names(desk):
    with desk.app.app_context():
        store(Upload("lost.txt", b"its row never came"))
        db.session.commit()  # no attachment row: as if the process died before its commit
        (desk.upload_dir / "ab").mkdir(exist_ok=True)
        (desk.upload_dir / "ab" / "abc.1234.part").write_bytes(b"half")
        assert sweep_orphan_files(utcnow()) == 0  # too recent: it may belong to a request in flight
        assert sweep_orphan_files(utcnow() + ORPHAN_GRACE + timedelta(seconds=1)) == 2
    assert desk.files() == []
