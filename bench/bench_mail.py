"""Mail ingestion speed: 1,000 typical messages through `ingest` (target >= 300 messages/s on SQLite).

Run with `python -m bench.bench_mail` from the checkout root. The mix is what a desk receives: new
requests from known customers and from new people of customer domains, replies by In-Reply-To and by
the [#N] tag, Chinese and English, HTML alternatives, a small attachment now and then, auto-replies and
redeliveries. Each message is one transaction with the SLA listeners and the notification mail, like
`flask mail ingest`; building the app and the schema (the process start) is not timed.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from core import services as accounts
from core.extensions import db
from core.mail_models import OutboundMail
from sla import services as sla_services
from support import services as support_services
from support.mail import ingest as ingest_module
from support.mail import notify
from support.mail.cli import BATCH
from support.mail.ingest import ingest_batch
from tests.support.mail.letters import letter, reply_to

MESSAGES = 1_000
TARGET = 300.0
SUBJECTS = [
    ("The label printer jams every third label", "Since the update the printer jams.\nModel LP-40.\n"),
    ("VPN 每小时断开一次", "从昨天开始 VPN 每小时断开一次，需要重新登录。\n"),
    ("Upgrade to 3.2 next weekend?", "Can we schedule the upgrade to 3.2 for Saturday night?\n"),
    ("服务器无法启动", "机房的备份服务器今天早上无法启动，指示灯为红色。\n请尽快处理。\n"),
    ("Invoice export shows wrong totals", "The CSV export rounds every line, so totals are off.\n"),
]
HTML = "<html><body><p>{}</p><p>Regards,<br>{}</p></body></html>"


def messages(rng: random.Random, customers: list[str], app, count: int = MESSAGES) -> list[bytes]:
    """The mix, in arrival order; replies answer mail that arrived earlier in the run."""
    out: list[bytes] = []
    for n in range(count):
        roll = rng.random()
        sender = rng.choice(customers) if roll < 0.85 else f"new{n}@northwind.example"
        subject, body = rng.choice(SUBJECTS)
        if roll < 0.04 and out:
            out.append(rng.choice(out))  # a redelivery
            continue
        if roll < 0.08:
            out.append(
                letter(
                    sender=sender,
                    subject="Out of Office: back Monday",
                    headers={"Auto-Submitted": "auto-replied"},
                )
            )
            continue
        if roll < 0.38 and n > 50:
            out.append(("reply", sender, n))  # filled in once the ticket it answers exists
            continue
        attachments = [("error.log", "text/plain", b"E42 at 10:00\n" * 20)] if rng.random() < 0.1 else []
        html = HTML.format(body.replace("\n", "<br>"), sender) if rng.random() < 0.5 else None
        out.append(letter(sender=sender, subject=subject, body=body, html=html, attachments=attachments))
    return out


def _resolve(item) -> bytes:
    if not isinstance(item, tuple):
        return item
    _kind, sender, _n = item
    sent = db.session.scalars(
        db.select(OutboundMail.raw).where(OutboundMail.recipient == sender).limit(1)
    ).first()
    return reply_to(sent, sender=sender) if sent else letter(sender=sender)


class Stopwatch:
    """Time spent inside some functions during the run, to say where the time goes."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, owner, name: str, label: str) -> None:
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - began

        setattr(owner, name, timed)


def run(count: int = MESSAGES) -> dict:
    """Ingest `count` messages of the mix in batches, as `flask mail ingest` does; the time and outcomes,
    where the time went, and the floor: the same messages through the standard library's parser alone."""
    logging.getLogger("app").setLevel(logging.ERROR)
    watch = Stopwatch()
    watch.wrap(ingest_module, "parse_message", "parsing")
    watch.wrap(support_services, "open_ticket", "open_ticket/add_message with every signal receiver")
    watch.wrap(support_services, "add_message", "open_ticket/add_message with every signal receiver")
    watch.wrap(sla_services, "refresh", "  in there: SLA refresh")
    watch.wrap(notify, "_notify", "  in there: notification mail")
    raw: list[bytes] = []
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}",
                "UPLOAD_DIR": str(Path(folder) / "attachments"),
                "SECRET_KEY": "bench",
                "KB_WARM_UP": False,
            }
        )
        app.logger.setLevel(logging.ERROR)
        with app.app_context():
            upgrade(revision="heads")
            org = accounts.get_or_create_organisation("Northwind", domains="northwind.example")
            customers = [f"customer{i}@northwind.example" for i in range(200)]
            for email in customers:
                accounts.create_user(email, organisation=org)
            sla_services.ensure_defaults()
            db.session.commit()
            rng = random.Random(7)
            plan = messages(rng, customers, app, count)
            actions: dict[str, int] = {}
            elapsed = 0.0
            for start in range(0, len(plan), BATCH):
                # Replies answer a notification of an earlier batch, as `flask mail ingest` sees them.
                chunk = [_resolve(item) for item in plan[start : start + BATCH]]
                raw += chunk
                began = time.perf_counter()
                results = ingest_batch(chunk, source="bench")
                elapsed += time.perf_counter() - began
                for result in results:
                    actions[result.action] = actions.get(result.action, 0) + 1
            db.engine.dispose()
    began = time.perf_counter()
    for message in raw:
        body = message_from_bytes(message, policy=email_policy.default).get_body(("plain", "html"))
        if body is not None:
            body.get_content()
    floor = time.perf_counter() - began
    return {"count": len(plan), "elapsed": elapsed, "actions": actions, "spent": watch.spent, "floor": floor}


def rows(full: bool) -> list[dict]:
    """`python -m bench` rows: 1,000 messages at every size (3 s). Not fewer: the first fifty can only
    open tickets (replies need earlier mail), the dearer kind, so a short run reads low."""
    from bench.common import row

    f = run(MESSAGES)
    rate, floor_rate = f["count"] / f["elapsed"], f["count"] / f["floor"]
    return [
        row(
            f"mail ingest, {f['count']:,} messages (SQLite, one transaction per batch)",
            f"{rate:.0f} messages/s",
            f">= {TARGET:.0f} messages/s",
            f"{floor_rate:.0f} messages/s (stdlib email parser alone)",
            floor_rate / rate,
            rate >= TARGET,
        )
    ]


def main() -> int:
    f = run()
    count, elapsed = f["count"], f["elapsed"]
    rate = count / elapsed
    print(
        f"ingested {count} messages in {elapsed:.2f} s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(f["actions"].items()))
    )
    print(f"  {elapsed * 1000 / count:.2f} ms per message, of which:")
    for label, seconds in sorted(f["spent"].items(), key=lambda item: item[0].startswith(" ")):
        print(f"  {label}: {seconds * 1000 / count:.2f} ms")
    print(f"  the standard library's parser alone: {f['floor'] * 1000 / count:.2f} ms per message")
    verdict = "ok" if rate >= TARGET else "SLOWER THAN TARGET"
    print(f"mail ingest: {rate:.0f} messages/s (target >= {TARGET:.0f} messages/s on SQLite) {verdict}")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
