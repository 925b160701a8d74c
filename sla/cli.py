"""`flask sla sweep` and `flask sla recompute`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from core.db import utcnow
from core.extensions import db
from sla import jobs, services
from support.models import OPEN_STATUSES, Ticket

sla_cli = AppGroup("sla", help="Service levels: sweeps and recomputation.")
CHUNK = 500


@sla_cli.command("sweep")
def sweep() -> None:
    """Warn, mark breaches and escalate once (the job does this every minute)."""
    result = jobs.sweep(utcnow())
    click.echo(
        f"warned {result.warned}, breached {result.breached}, actions {result.actions}, "
        f"recomputed {result.recomputed}"
    )


@sla_cli.command("recompute")
@click.option(
    "--all", "everything", is_flag=True, help="Also resolved and closed tickets (rewrites reports)."
)
@click.option("--ticket", "numbers", type=int, multiple=True, help="Only this ticket (repeatable).")
def recompute(everything: bool, numbers: tuple[int, ...]) -> None:
    """Rebuild stored SLA state from ticket histories, e.g. after a policy or calendar change."""
    query = sa.select(Ticket.id).order_by(Ticket.id)
    if numbers:
        query = query.where(Ticket.id.in_(numbers))
    elif not everything:
        query = query.where(Ticket.status.in_([str(s) for s in OPEN_STATUSES]))
    ids = list(db.session.scalars(query))
    now, done = utcnow(), 0
    # One commit per chunk: an interrupted run keeps its work, and a re-run simply does it again.
    for start in range(0, len(ids), CHUNK):
        done += services.recompute(ids[start : start + CHUNK], now=now)
        db.session.commit()
        db.session.expunge_all()
    click.echo(f"recomputed {done} tickets")
