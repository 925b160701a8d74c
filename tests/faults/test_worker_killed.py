"""A web worker SIGKILLed in the middle of filing a ticket: the ticket is stored whole or not at all,
gunicorn brings a new worker, and the customer's retry files it once (killed after the commit, a
retry with the same Idempotency-Key gets the lost answer)."""

from __future__ import annotations

import os
import signal
import threading
from datetime import timedelta

import requests

from core.db import utcnow
from core.extensions import db
from core.mail_models import OutboundMail
from support.attachments import ORPHAN_GRACE, sweep_orphan_files
from support.models import Attachment, Message, Ticket, TicketEvent
from tests.faults.conftest import csrf_token, paused_at, signed_in


class InFlight(threading.Thread):
    """A request that is still waiting for its answer while the test kills the worker."""

    def __init__(self, send):
        super().__init__(daemon=True)
        self.send = send
        self.error: Exception | None = None
        self.start()

    def run(self):
        try:
            self.send()
        except requests.ConnectionError as exc:  # the worker died under the request
            self.error = exc


def kill_at(desk, point: str, request: InFlight) -> None:
    os.kill(paused_at(desk, point), signal.SIGKILL)
    request.join(30)
    assert not request.is_alive() and request.error is not None, "the request should have lost its worker"


def test_a_worker_killed_before_the_commit_leaves_no_trace_and_the_retry_files_the_ticket_once(
    desk, gunicorn
):
    seed = desk.seed()
    server = gunicorn(AFTERCARE_FAILPOINTS="ticket.create.before_commit=pause")
    workers = server.worker_pids()
    ticket = {"subject": "Nightly export stopped", "body": "No file since Monday.", "kind": "incident"}

    def post():
        headers = {"Authorization": f"Bearer {seed.customer_token}"}
        return requests.post(server.url + "/api/v1/tickets", json=ticket, headers=headers, timeout=60)

    kill_at(desk, "ticket.create.before_commit", InFlight(post))
    # Everything the service had flushed (ticket, message, history, SLA clocks, the acknowledgement
    # in the outbox) died with the worker's transaction.
    for model in (Ticket, Message, TicketEvent, OutboundMail):
        assert desk.count(model) == 0, model

    server.ready()  # the master replaced the worker, and the same app answers
    assert server.worker_pids().isdisjoint(workers)
    answer = post()
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    assert desk.count(Ticket) == 1
    assert desk.count(Message, Message.ticket_id == number) == 1
    assert desk.count(TicketEvent, TicketEvent.ticket_id == number, TicketEvent.kind == "created") == 1
    assert desk.count(OutboundMail, OutboundMail.related == f"ticket:{number}") == 1


def test_a_worker_killed_after_the_commit_loses_the_answer_and_the_keyed_retry_gets_it_back(desk, gunicorn):
    seed = desk.seed()
    server = gunicorn(AFTERCARE_FAILPOINTS="api.ticket.committed=pause")
    ticket = {"subject": "Backup job failed", "body": "Exit code 3 since Friday.", "kind": "incident"}
    headers = {"Authorization": f"Bearer {seed.customer_token}", "Idempotency-Key": "backup-7c1e"}

    def post():
        return requests.post(server.url + "/api/v1/tickets", json=ticket, headers=headers, timeout=60)

    kill_at(desk, "api.ticket.committed", InFlight(post))
    assert desk.count(Ticket) == 1  # filed, but the client never heard so

    server.ready()
    answer = post()  # the client tries again, with the same key
    assert answer.status_code == 201, answer.text
    assert answer.headers["Idempotent-Replayed"] == "true"
    number = answer.json()["number"]
    assert answer.headers["Location"].endswith(f"/api/v1/tickets/{number}")
    assert desk.count(Ticket) == 1
    assert desk.count(OutboundMail, OutboundMail.related == f"ticket:{number}") == 1


def test_a_worker_killed_while_saving_an_attachment_leaves_no_row_and_no_file_for_good(desk, gunicorn):
    seed = desk.seed()
    server = gunicorn(AFTERCARE_FAILPOINTS="attachment.write=pause")
    browser = signed_in(server.url, seed.customer_email)
    form = {
        "kind": "question",
        "priority": "normal",
        "subject": "Wiring diagram",
        "body": "Which one is current?",
    }
    log = b"line 1\nline 2\n" * 500

    def post():
        page = browser.get(server.url + "/portal/tickets/new", timeout=10)
        return browser.post(
            server.url + "/portal/tickets/new",
            data={**form, "csrf_token": csrf_token(page.text)},
            files=[("attachments", ("controller.log", log, "text/plain"))],
            allow_redirects=False,
            timeout=60,
        )

    kill_at(desk, "attachment.write", InFlight(post))
    assert (desk.count(Ticket), desk.count(Message), desk.count(Attachment)) == (0, 0, 0)
    leftovers = desk.files()
    assert [p.suffix for p in leftovers] == [".part"]  # written, never renamed: no row will ever name it

    server.ready()
    answer = post()
    assert answer.status_code == 303, answer.text
    number = int(answer.headers["Location"].rsplit("/", 1)[1])
    with desk.app.app_context():
        ticket = db.session.get(Ticket, number)
        (message,) = ticket.messages
        (attachment,) = message.attachments
        assert attachment.size == len(log)
        # The sweep removes what the killed worker left, and only that.
        assert sweep_orphan_files(utcnow() + ORPHAN_GRACE + timedelta(minutes=1)) == 1
        assert desk.count(Attachment) == 1
    assert [p.relative_to(desk.upload_dir).as_posix() for p in desk.files()] == [attachment.storage_path]
    download = browser.get(f"{server.url}/attachments/{attachment.id}/controller.log", timeout=10)
    assert download.status_code == 200 and download.content == log
