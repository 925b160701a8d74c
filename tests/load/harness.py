"""What the load test and the ticket-creation benchmark share: a fresh PostgreSQL database, gunicorn on a
loopback port, and HTTP clients that sign in and file tickets the way customers do.

The clients use the standard library's http.client: one connection per client thread, a cookie jar of
their own, no redirects followed unless asked. `python -m tests.load.harness prepare URL N` migrates a
database and makes N customers with API tokens (run in its own process, so the caller's app and
extensions are never touched); it prints them as JSON on its last line.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "load-test-password"
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
_NUMBER = re.compile(r"/tickets/(\d+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_marker() -> str:
    """A token that is in exactly one request's body, to find that request's row again."""
    return "lt" + uuid.uuid4().hex[:16]


MARKERS = re.compile(r"lt[0-9a-f]{16}")


# -- the database -----------------------------------------------------------------------------------


def create_database(base_url: str, name: str) -> str:
    """(Re)create database `name` on the server of `base_url`; returns its URL."""
    url = sa.make_url(_driver(base_url))
    # From the maintenance database: the one in `base_url` need not exist.
    admin = sa.create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    target = sa.make_url(url)
    admin = sa.create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    admin.dispose()


def _driver(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def prepare(url: str, customers: int) -> list[dict]:
    """Migrate the database at `url` and make `customers` customers; [{"email", "token"}] (own process)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.load.harness", "prepare", url, str(customers)],
        cwd=ROOT,
        env=server_env(url, Path("/nonexistent")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        raise RuntimeError(f"preparing {url} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _prepare_here(url: str, customers: int) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from core import services
    from core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "KB_WARM_UP": False})
    people = []
    with app.app_context():
        upgrade(revision="heads")  # every head: the chain may fork while migrations are being merged
        orgs = [services.get_or_create_organisation(name) for name in ("Northwind Load", "恒泰负载")]
        for n in range(customers):
            user = services.create_user(
                f"load{n}@load.example",
                role="customer",
                name=f"Load Customer {n}",
                organisation=orgs[n % len(orgs)],
                password=PASSWORD,
            )
            people.append({"email": user.email, "token": services.create_api_token(user, label="load")})
        db.session.commit()
    print(json.dumps(people))


# -- gunicorn ---------------------------------------------------------------------------------------


def server_env(url: str, scratch: Path) -> dict[str, str]:
    """The environment of a server (or command) on `url` that leaves nothing in the checkout."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "AFTERCARE_SECRET_KEY": "load-test-secret",
        "AFTERCARE_INDEX_DIR": str(scratch / "index"),
        "AFTERCARE_UPLOAD_DIR": str(scratch / "attachments"),
        # Every client signs in from 127.0.0.1: the login throttle would lock all but the first few.
        "AFTERCARE_RATELIMIT_ENABLED": "false",
    }


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py on a free loopback port; a context manager."""

    def __init__(
        self,
        app_spec: str,
        env: dict[str, str],
        *,
        workers: int = 4,
        log: Path | None = None,
        wait: bool = True,
    ) -> None:
        self.app_spec, self.env, self.workers = app_spec, env, workers
        self.port = free_port()
        self.log = log
        self.wait = wait  # False: the caller does other work while it starts, then calls ready()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        out = open(self.log, "w") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), self.app_spec],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers are stopped with it, whatever happens to the caller
        )
        if out is not subprocess.DEVNULL:
            out.close()
        if self.wait:
            self.ready()
        return self

    def ready(self, timeout: float = 60) -> None:
        """Wait until it accepts connections."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not listen on {self.port} within {timeout}s: {self.tail()}")

    def worker_cpu_seconds(self) -> float:
        """CPU time (user and system) the workers used so far: a figure load on the machine hardly moves."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[1]) == self.process.pid:  # ppid; then utime and stime, in clock ticks
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log and self.log.exists() else ""

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# -- clients ----------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Refused(Exception):
    """An answer the client did not expect (the status and a bit of the body say which)."""


@dataclass
class Client:
    """One customer: an HTTP connection, a cookie jar, an API token."""

    port: int
    email: str = ""
    token: str = ""
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            answer = self.connection.getresponse()
            data = answer.read()
        except Exception:
            self.connection.close()  # a fresh connection for the next request
            raise
        for line in answer.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        if answer.will_close:
            self.connection.close()
        return Response(answer.status, answer.headers, data)

    def close(self) -> None:
        self.connection.close()

    # The REST API

    def api(self, method: str, path: str, payload: dict) -> Response:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return self.request(method, "/api/v1" + path, body=json.dumps(payload).encode(), headers=headers)

    def api_ticket(self, subject: str, body: str) -> int:
        answer = self.api("POST", "/tickets", {"subject": subject, "body": body, "kind": "question"})
        _expect(answer, 201)
        return answer.json()["number"]

    def api_reply(self, number: int, body: str) -> None:
        _expect(self.api("POST", f"/tickets/{number}/messages", {"body": body}), 201)

    # The portal, as a browser would use it

    def form(self, path: str, fields: dict) -> Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body=urlencode(fields).encode(), headers=headers)

    def csrf_token(self, path: str) -> str:
        answer = self.request("GET", path)
        _expect(answer, 200)
        match = _CSRF.search(answer.text)
        if match is None:
            raise Refused(f"GET {path}: no csrf_token in the page")
        return match.group(1)

    def sign_in(self) -> None:
        token = self.csrf_token("/login")
        answer = self.form("/login", {"email": self.email, "password": PASSWORD, "csrf_token": token})
        _expect(answer, 303)

    def portal_ticket(self, subject: str, body: str, *, csrf: str | None = None, follow: bool = True) -> int:
        """File a ticket on the portal form (loading the form first unless given its csrf token)."""
        csrf = csrf or self.csrf_token("/portal/tickets/new")
        fields = {
            "kind": "question",
            "subject": subject,
            "body": body,
            "priority": "normal",
            "csrf_token": csrf,
        }
        answer = self.form("/portal/tickets/new", fields)
        _expect(answer, 303)
        location = answer.headers.get("Location", "")
        if follow:  # the page that shows the ticket (and takes the "thank you" flash out of the session)
            _expect(self.request("GET", location), 200)
        return int(_NUMBER.search(location).group(1))

    def portal_reply(self, number: int, body: str) -> None:
        csrf = self.csrf_token(f"/portal/tickets/{number}")
        answer = self.form(f"/portal/tickets/{number}/replies", {"body": body, "csrf_token": csrf})
        _expect(answer, 303)
        _expect(self.request("GET", answer.headers.get("Location", "")), 200)


def _expect(answer: Response, status: int) -> None:
    if answer.status != status:
        raise Refused(f"{answer.status} instead of {status}: {answer.text[:300]!r}")


if __name__ == "__main__" and sys.argv[1:2] == ["prepare"]:
    _prepare_here(sys.argv[2], int(sys.argv[3]))
