"""Real mail servers for the mail tests: aiosmtpd (SMTP, on loopback) and dovecot (IMAP).

Dovecot comes from Debian's `dovecot-imapd`. Without it the IMAP tests skip locally, saying so; with
CI=true they fail instead, because CI must never pass by skipping them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from core.mail_models import OutboundMail


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


# -- SMTP --------------------------------------------------------------------------------------------


@dataclass
class SmtpServer:
    """An aiosmtpd server recording what it receives; `start()` and `stop()` it to play "down"."""

    port: int
    received: list = field(default_factory=list)
    refuse: dict = field(default_factory=dict)  # recipient -> SMTP status to answer RCPT with
    controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope)
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port(app, monkeypatch):
    """A free loopback port that MAIL_SERVER points at (nothing listens yet)."""
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    return port


@pytest.fixture
def smtp_server(smtp_port):
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver(app):
    """The LMTP receiver of `app` on a free loopback port."""
    from support.mail import lmtp

    server = lmtp.make_server(app, "127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def outbox_rows():
    """The outbox rows queued so far in this test, oldest first."""
    from core.extensions import db

    def rows(**filters):
        query = db.select(OutboundMail).filter_by(**filters).order_by(OutboundMail.id)
        return db.session.scalars(query).all()

    return rows


# -- IMAP ----------------------------------------------------------------------------------------------

DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={internal_user} gid={internal_group} home={root}/mail/%u
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    port: int
    user: str = "support"
    password: str = "secret"

    def account(self, **extra) -> dict:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "ssl": False,
            **extra,
        }


def _need_dovecot() -> str:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if binary is None:
        reason = "dovecot is not installed (Debian: apt-get install dovecot-imapd); IMAP tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " - CI must run them")
        pytest.skip(reason)
    return binary


@pytest.fixture(scope="session")
def dovecot():
    """A dovecot of our own: config, mail folder and a free port in a temporary folder."""
    binary = _need_dovecot()
    root = Path(tempfile.mkdtemp(prefix="aftercare-dovecot-"))
    root.chmod(0o755)  # its login and mail processes run as other users
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    if os.geteuid() == 0:
        # It refuses to run its login process as root (see ../shared/NOTES.md).
        login_user, internal_user = "dovenull", "dovecot"
        pw = pwd.getpwnam(internal_user)
        os.chown(root / "mail", pw.pw_uid, pw.pw_gid)
    else:
        login_user = internal_user = pwd.getpwuid(os.geteuid()).pw_name
    server = Dovecot(port=free_port())
    (root / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    config = root / "dovecot.conf"
    config.write_text(
        DOVECOT_CONF.format(
            root=root,
            port=server.port,
            login_user=login_user,
            internal_user=internal_user,
            internal_group=internal_user,
        )
    )
    # It daemonizes but keeps the caller's stdout open: never pipe its output.
    started = subprocess.run(
        [binary, "-c", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if started.returncode != 0:
            raise RuntimeError(f"dovecot did not start: {(root / 'dovecot.log').read_text(errors='replace')}")
        wait_for_port(server.port)
        yield server
    finally:
        _stop_dovecot(root, config)


def _stop_dovecot(root: Path, config: Path) -> None:
    # SIGTERM to its master (the pid it wrote) ends it and its children without waiting for them.
    pid_file = root / "run" / "master.pid"
    try:
        os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
    except (OSError, ValueError):
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        subprocess.run([doveadm, "-c", str(config), "stop"], stdin=subprocess.DEVNULL, capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


class Mailbox:
    """One fresh folder on the test dovecot: APPEND mail to it, read the flags the poller left."""

    def __init__(self, server: Dovecot, folder: str) -> None:
        self.server = server
        self.folder = folder

    def _client(self):
        import imaplib

        client = imaplib.IMAP4("127.0.0.1", self.server.port, timeout=10)
        client.login(self.server.user, self.server.password)
        return client

    def create(self, folder: str | None = None) -> None:
        client = self._client()
        client.create(f'"{folder or self.folder}"')
        client.logout()

    def append(self, *raws: bytes) -> None:
        client = self._client()
        for raw in raws:
            status, data = client.append(f'"{self.folder}"', None, None, raw)
            assert status == "OK", data
        client.logout()

    def unseen(self, folder: str | None = None) -> int:
        return self._count(folder, "UNSEEN")

    def total(self, folder: str | None = None) -> int:
        return self._count(folder, "ALL")

    def flagged(self, folder: str | None = None) -> int:
        return self._count(folder, "FLAGGED")

    def _count(self, folder: str | None, criterion: str) -> int:
        client = self._client()
        client.select(f'"{folder or self.folder}"', readonly=True)
        _status, data = client.uid("SEARCH", None, criterion)
        client.logout()
        return len(data[0].split())

    def account(self, **extra) -> dict:
        return self.server.account(folder=self.folder, **extra)


@pytest.fixture
def mailbox(dovecot):
    import uuid

    box = Mailbox(dovecot, f"test-{uuid.uuid4().hex[:12]}")
    box.create()
    return box
