"""The database goes away and comes back while the app runs: requests in between get a clean 503 (no
traceback, nothing half-stored), and the next ones succeed without restarting the app.

PostgreSQL (--db=postgres): a private server started for these tests (initdb and pg_ctl in a temporary
folder, on a free port) is really stopped and started again, so the shared one is not disturbed.
SQLite: another process holds an exclusive lock on the database file.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from support.models import Ticket
from tests.faults.conftest import Desk, csrf_token, migrate, paused_at, resume, signed_in_client
from tests.support.mail.conftest import free_port

NEW_TICKET = {"subject": "Label printer offline", "body": "It stopped at 9:00.", "kind": "incident"}


class PrivatePostgres:
    """A PostgreSQL server of our own: `stop()` and `start()` it to play a restart."""

    readers_blocked = True

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not binaries:
            pytest.fail("PostgreSQL's server binaries are missing (Debian: apt-get install postgresql)")
        self.bin = Path(binaries[-1]).parent
        # Not under pytest's tmp_path: the server runs as "postgres", which may not enter root's folders.
        self.root = Path(tempfile.mkdtemp(prefix="aftercare-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._run(
            "initdb", "-D", "data", "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"
        )

    def _run(self, tool: str, *args: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*as_postgres, str(self.bin / tool), *args],
            cwd=self.root,
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", "data", "-l", "server.log", "-w", "-t", "30", "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", "data", "-m", "fast", "-w", "-t", "30", "stop")

    def destroy(self) -> None:
        if (self.root / "data" / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class SqliteLock:
    """Another process holding an exclusive lock on the SQLite file, as a long maintenance job would.

    In WAL mode (core/db.py) that shuts out writers only: readers go on reading the last commit.
    """

    readers_blocked = False
    HOLDER = (
        "import sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
    )

    def __init__(self, path: str) -> None:
        self.path = path
        self.process: subprocess.Popen | None = None

    def stop(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.HOLDER, self.path], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.process.stdout.readline() == b"locked\n"

    def start(self) -> None:
        self.process.communicate(b"\n", timeout=10)


@pytest.fixture(scope="module")
def private_postgres(tmp_path_factory):
    server = PrivatePostgres()
    try:
        server.start()
        migrate(server.url, tmp_path_factory.mktemp("private-pg"))
        yield server
    finally:
        server.destroy()


@pytest.fixture
def outage(request, fault_database, tmp_path):
    """(desk, database) where `database.stop()` / `.start()` take the database away and bring it back."""
    if request.config.getoption("--db") == "postgres":
        server = request.getfixturevalue("private_postgres")
        desk = Desk(server.url, tmp_path)
        database = server
    else:
        # A short wait for the lock, so that the test does not sit out the default 10 s.
        desk = Desk(fault_database + "?timeout=0.5", tmp_path)
        database = SqliteLock(fault_database.removeprefix("sqlite:///"))
    desk.empty()
    yield desk, database
    if isinstance(database, SqliteLock) and database.process and database.process.poll() is None:
        database.start()
    desk.close()


def test_requests_during_an_outage_get_a_clean_503_and_the_app_recovers_by_itself(outage):
    desk, database = outage
    seed = desk.seed()
    api = desk.app.test_client()
    token = {"Authorization": f"Bearer {seed.customer_token}"}
    browser = signed_in_client(desk, seed.customer_email)
    assert api.post("/api/v1/tickets", json=NEW_TICKET, headers=token).status_code == 201
    page = browser.get("/portal/tickets/new")
    assert page.status_code == 200
    csrf = csrf_token(page.text)

    database.stop()
    try:
        posted = api.post("/api/v1/tickets", json={**NEW_TICKET, "subject": "Lost?"}, headers=token)
        assert posted.status_code == 503 and posted.headers["Retry-After"]
        assert posted.json["code"] == 503 and "Try again" in posted.json["message"]
        form = {"csrf_token": csrf, "kind": "question", "priority": "normal", "subject": "Lost?", "body": "?"}
        filed = browser.post("/portal/tickets/new", data=form)
        assert filed.status_code == 503 and "Unavailable for a moment" in filed.text
        assert "Traceback" not in filed.text
        reading = 503 if database.readers_blocked else 200
        assert api.get("/api/v1/tickets", headers=token).status_code == reading
        assert browser.get("/portal").status_code == reading
    finally:
        database.start()

    # The same app, the same pool: the dead connections are noticed and replaced.
    listed = api.get("/api/v1/tickets", headers=token)
    assert listed.status_code == 200
    assert [t["subject"] for t in listed.json["tickets"]] == [NEW_TICKET["subject"]]  # nothing half-stored
    assert api.post("/api/v1/tickets", json=NEW_TICKET, headers=token).status_code == 201
    assert browser.get("/portal").status_code == 200
    assert desk.count(Ticket) == 2


@pytest.fixture
def postgres_only(request):
    if request.config.getoption("--db") != "postgres":
        pytest.skip("a database server to restart needs PostgreSQL: run with --db=postgres")


def test_a_server_restart_in_the_middle_of_a_ticket_create_stores_nothing_and_the_retry_works(
    postgres_only, outage, monkeypatch
):
    desk, server = outage
    seed = desk.seed()
    token = {"Authorization": f"Bearer {seed.customer_token}"}
    monkeypatch.setenv("AFTERCARE_FAILPOINTS", "ticket.create.before_commit=pause")
    monkeypatch.setenv("AFTERCARE_FAILPOINT_DIR", str(desk.failpoint_dir))
    answers = []

    def create_ticket():
        answers.append(desk.app.test_client().post("/api/v1/tickets", json=NEW_TICKET, headers=token))

    create = threading.Thread(target=create_ticket)
    create.start()
    paused_at(desk, "ticket.create.before_commit")  # the ticket is flushed, not committed
    server.stop()
    server.start()
    resume(desk, "ticket.create.before_commit")
    create.join(30)
    assert [a.status_code for a in answers] == [503]
    assert desk.count(Ticket) == 0

    retry = desk.app.test_client().post("/api/v1/tickets", json=NEW_TICKET, headers=token)
    assert retry.status_code == 201
    assert desk.count(Ticket) == 1
