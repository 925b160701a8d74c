"""Fault tests: real processes are killed, real servers stopped, a real disk filled; nothing may be lost
or doubled.

They commit for real, so they run outside the rolled-back test transaction (tests/conftest.py) on a
database of their own: a SQLite file, or with --db=postgres a database beside TEST_DATABASE_URL's (its
name + "_faults"), migrated once per run and emptied before each test. The app runs as the fault needs
it: gunicorn or `flask ...` in a subprocess, or in this process with a real engine (`Desk.app`).
Faults are injected through core/failpoints.py (AFTERCARE_FAILPOINTS) where a process must stop at an
exact place.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from core import services as accounts
from core.extensions import db
from core.models import Role, User
from tests.support.mail.conftest import dovecot, free_port  # noqa: F401  (dovecot: a fixture)

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-test-secret"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def no_transaction():
    """These tests commit for real: tests/conftest.py leaves them outside its rolled-back transaction."""


def desk_config(url: str, folder: Path) -> dict:
    """The settings of a production-like app on `url`; the same as the environment of a subprocess."""
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": SECRET,
        "UPLOAD_DIR": str(folder / "attachments"),
        "INDEX_DIR": str(folder / "index"),
        "KB_WARM_UP": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SENDER_LIMIT_PER_HOUR": 100_000,
    }


@pytest.fixture(scope="session")
def fault_database(request, tmp_path_factory):
    """The URL of the committed database these tests share, migrated the way production is."""
    if request.config.getoption("--db") == "postgres":
        base = os.environ["TEST_DATABASE_URL"]
        parts = urlsplit(base)
        name = parts.path.lstrip("/") + "_faults"
        url = urlunsplit(parts._replace(path="/" + name))
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('faults') / 'faults.db'}"
    migrate(url, tmp_path_factory.mktemp("migrate"))
    yield url
    if request.config.getoption("--db") == "postgres":
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str, folder: Path) -> None:
    app = create_app(desk_config(url, folder))
    with app.app_context():
        upgrade(revision="heads")  # "heads": still works while a new migration waits to be relinked
        db.engine.dispose()


@dataclass
class Seed:
    customer_email: str
    engineer_email: str
    customer_token: str
    engineer_token: str


class Desk:
    """One committed database and attachment folder, an app on them in this process, and the
    environment that gives a subprocess (gunicorn, `flask ...`) the same."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.config = desk_config(url, folder)
        self.upload_dir = Path(self.config["UPLOAD_DIR"])
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        self.failpoint_dir = folder / "failpoints"
        self.failpoint_dir.mkdir()
        self.app = create_app(self.config)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AFTERCARE_", "FLASK_"))}
        env["DATABASE_URL"] = self.url
        for key, value in self.config.items():
            if key != "SQLALCHEMY_DATABASE_URI":
                env[f"AFTERCARE_{key}"] = value if isinstance(value, str) else str(value).lower()
        env["AFTERCARE_FAILPOINT_DIR"] = str(self.failpoint_dir)
        env.update(extra)
        return env

    def flask(self, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
        """`python -m flask --app app ARGS` from the checkout, as an operator or the MTA runs it."""
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *args],
            cwd=ROOT,
            env=self.env(**env),
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def count(self, model, *where) -> int:
        with self.app.app_context():
            query = sa.select(sa.func.count()).select_from(model).where(*where)
            return db.session.scalar(query)

    def files(self) -> list[Path]:
        """Every file under the attachment folder."""
        return sorted(p for p in self.upload_dir.rglob("*") if p.is_file())

    def seed(self) -> Seed:
        with self.app.app_context():
            org = accounts.get_or_create_organisation("Northwind")
            customer = accounts.create_user(
                "tom@northwind.example", role=Role.customer, organisation=org, password=PASSWORD, name="Tom"
            )
            engineer = accounts.create_user(
                "li.wei@aftercare.example", role=Role.engineer, password=PASSWORD, name="Li Wei"
            )
            seed = Seed(
                customer.email,
                engineer.email,
                accounts.create_api_token(customer),
                accounts.create_api_token(engineer),
            )
            db.session.commit()
        return seed

    def empty(self) -> None:
        with self.app.app_context():
            tables = list(reversed(db.metadata.sorted_tables))  # rows that point elsewhere go first
            with db.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY")
                else:
                    for table in tables:
                        conn.execute(table.delete())

    def close(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def desk(fault_database, tmp_path):
    desk = Desk(fault_database, tmp_path)
    desk.empty()
    yield desk
    desk.close()


# -- waiting on processes ----------------------------------------------------------------------------------


def wait_for(predicate, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def paused_at(desk: Desk, point: str, timeout: float = 30) -> int:
    """Wait until a process stops at failpoint `point` (AFTERCARE_FAILPOINTS=point=pause); its pid."""
    marker = desk.failpoint_dir / point

    def pid():
        text = marker.read_text() if marker.exists() else ""
        return int(text) if text.strip() else None

    return wait_for(pid, timeout, f"a process to pause at {point}")


def resume(desk: Desk, point: str) -> None:
    (desk.failpoint_dir / f"{point}.resume").touch()


class Gunicorn:
    """gunicorn as deployed, with one worker; its master replaces a worker that dies."""

    def __init__(self, desk: Desk, **env: str) -> None:
        self.desk = desk
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = desk.folder / "gunicorn.log"
        with self.log.open("wb") as log:
            self.process = self._spawn(desk, log, env)

    def _spawn(self, desk: Desk, log, env: dict) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config=gunicorn.conf.py",  # as deployed (it loads the app once and forks workers)
                "--workers=1",
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=60",
            ],
            cwd=ROOT,
            env=desk.env(**env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def ready(self, timeout: float = 40) -> None:
        def answers():
            assert self.process.poll() is None, self.log.read_text(errors="replace")
            try:
                return requests.get(self.url + "/login", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(answers, timeout, f"gunicorn on {self.url}")

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()} if children.exists() else set()

    def stop(self) -> None:
        """Kill the master and its worker (their own process group): a test server has nothing to save."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def gunicorn(desk):
    servers = []

    def start(**env: str) -> Gunicorn:
        server = Gunicorn(desk, **env)
        servers.append(server)
        server.ready()
        return server

    yield start
    for server in servers:
        server.stop()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def signed_in(base_url: str, email: str) -> requests.Session:
    """A browser-like session signed in through the real login form (CSRF included)."""
    browser = requests.Session()
    page = browser.get(base_url + "/login", timeout=10)
    answer = browser.post(
        base_url + "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text
    return browser


def signed_in_client(desk: Desk, email: str):
    """A test client of `desk.app` signed in as `email` (Flask-Login reads the session)."""
    client = desk.app.test_client()
    with desk.app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.email == email))
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(user_id), True
    return client
