"""The SLA sweep (`flask sla sweep`, and every minute from `flask jobs run`): warn, mark breaches, escalate.

Set-based and exactly once: one UPDATE per stage claims the clocks whose next check has passed (through
the `next_check_at` index) by setting their marker where it is still empty, and returns their ids; only
the sweeper whose UPDATE set a marker carries out that stage's actions, in the same transaction. Two
sweepers at once (or a sweep re-run after a crash) cannot both set a marker: on PostgreSQL the second
UPDATE waits for the first one's row locks (or skips the rows) and then no longer matches; on SQLite
writers take turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.jobs import Job
from sla import escalation, services
from sla.models import SlaClock, SlaPolicy
from support.models import Ticket

BATCH = 500  # clocks per stage and run; a backlog is worked off over the next runs
RECOMPUTE_BATCH = 200
# A breach found this late (the first sweep over imported tickets, a restored backup) is recorded
# without escalating: nobody is helped by a pile of mail about last month.
TOO_LATE = timedelta(days=1)


@dataclass(frozen=True)
class SweepResult:
    warned: int
    breached: int
    recomputed: int
    actions: int


def sweep(now: datetime, *, limit: int = BATCH) -> SweepResult:
    """Recompute tickets left behind by a settings change, then act on passed warnings and breaches."""
    stale = services.stale_ticket_ids(limit=RECOMPUTE_BATCH)
    recomputed = services.recompute(stale, now=now) if stale else 0
    # Ends the read transaction too: on SQLite, a write after a read of an older snapshot is refused.
    db.session.commit()

    breached = _claim(
        now, limit, marker=SlaClock.breached_at, due=SlaClock.due_at, after={"next_check_at": None}
    )
    warned = _claim(
        now,
        limit,
        marker=SlaClock.warned_at,
        due=SlaClock.warn_at,
        after={"next_check_at": SlaClock.due_at},
        also=SlaClock.breached_at.is_(None),  # a breach already said more than a warning would
    )
    # A clock whose breach was handled needs no more checks, even if a recompute running alongside
    # (another sweeper escalating the same ticket) wrote it an old check time again.
    table = SlaClock.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.next_check_at <= now, table.c.breached_at.is_not(None))
        .values(next_check_at=None)
    )
    actions = 0
    for stage, ids in (("breach", breached), ("warning", warned)):
        for clock in _load(ids):
            actions += _escalate(clock, stage, now)
    db.session.commit()
    return SweepResult(len(warned), len(breached), recomputed, actions)


def _claim(now: datetime, limit: int, *, marker, due, after: dict, also=None) -> list[int]:
    """Set `marker` on clocks whose `due` passed and whose marker is empty; the ids this sweeper set."""
    table = SlaClock.__table__
    conditions = [SlaClock.next_check_at <= now, marker.is_(None), due < now]
    if also is not None:
        conditions.append(also)
    # SKIP LOCKED (PostgreSQL; SQLite ignores it): rows another sweeper is claiming are left to it.
    candidates = (
        sa.select(SlaClock.id)
        .where(*conditions)
        .order_by(SlaClock.next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        sa.update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()), *conditions)
        .values({marker.key: now, **after})
        .returning(table.c.id)
    )
    return list(db.session.execute(stmt).scalars())


def _load(ids: list[int]) -> list[SlaClock]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(SlaClock)
            .where(SlaClock.id.in_(ids))
            .options(
                joinedload(SlaClock.ticket).joinedload(Ticket.assignee),
                joinedload(SlaClock.policy).options(
                    joinedload(SlaPolicy.lead),
                    joinedload(SlaPolicy.reassign_to),
                    joinedload(SlaPolicy.reassign_team),
                    joinedload(SlaPolicy.calendar),
                ),
            )
            .order_by(SlaClock.id)
            .execution_options(populate_existing=True)
        ).unique()
    )


def _escalate(clock: SlaClock, stage: str, now: datetime) -> int:
    if stage == "breach" and clock.due_at is not None and clock.due_at < now - TOO_LATE:
        return 0
    # The marker is set either way: an action that fails is logged, not retried every minute.
    try:
        with db.session.begin_nested():
            return len(escalation.carry_out(clock, stage, now))
    except Exception:
        current_app.logger.exception("SLA %s of ticket #%s (%s) failed", stage, clock.ticket_id, clock.target)
        return 0


def run_sweep(now: datetime) -> SweepResult:
    """The job: one sweep."""
    return sweep(now)


JOBS = [
    Job(
        "sla.sweep",
        run_sweep,
        "interval",
        {"minutes": 1},
        "Warn before SLA targets fall due, mark breaches, escalate",
    ),
]
