"""Writes of a ticket's stored SLA state: evaluate its history, keep its clocks and `sla_due_at` current.

The stored state is a cache of `sla.timers.evaluate`: listeners refresh it inside the transaction of
every change to a ticket, `recompute` rebuilds it after a policy or calendar change. Nothing here
commits.

With no policy configured, the first ticket creates Aftercare's defaults (`ensure_defaults`): an office
calendar in the desk's time zone (with that country's public holidays when the `holidays` package knows
them), a 24x7 calendar, and the policies of `sla.policies.DEFAULT_POLICIES`. Admins then edit them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace

import holidays as holiday_presets
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from core.db import utcnow
from core.extensions import db
from sla import policies as rules
from sla.clock import BusinessCalendar
from sla.models import Calendar, SlaClock, SlaPolicy
from sla.timers import Clock, SlaState, evaluate
from support.models import NO_SLA_DUE, OPEN_STATUSES, Ticket, TicketEvent

_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)
_calendars: dict[tuple[int, datetime], BusinessCalendar] = {}
_calendars_lock = threading.Lock()
_POLICIES_KEY = "sla.policies"  # Session.info: (root transaction, policies) of current_policies()
_WRITTEN_KEY = "sla.inserted"  # Session.info: (root transaction, ticket ids) of _written_by_insert()
_SETTINGS = (SlaPolicy, Calendar)
_SETTINGS_TABLES = {model.__table__.name for model in _SETTINGS}
# Built once: every change to a ticket runs them, and building a statement costs more than running it.
_HISTORY = (
    sa.select(TicketEvent)
    .where(TicketEvent.ticket_id == sa.bindparam("ticket"))
    .order_by(TicketEvent.at, TicketEvent.id)
)
_INSERT_CLOCK = sa.insert(SlaClock.__table__)
_CLOCKS = sa.select(SlaClock).where(SlaClock.ticket_id == sa.bindparam("ticket"))
_SET_DUE = (
    sa.update(Ticket.__table__)
    .where(Ticket.__table__.c.id == sa.bindparam("ticket"))
    .values(sla_due_at=sa.bindparam("due"))
)


def business_calendar(calendar: Calendar) -> BusinessCalendar:
    """The clock of a stored calendar, kept per process until the calendar changes (its caches are warm)."""
    key = (calendar.id, calendar.updated_at)
    found = _calendars.get(key) if calendar.id is not None else None
    if found is None:
        found = BusinessCalendar(
            calendar.timezone,
            calendar.hours,
            calendar.holidays or (),
            calendar.workdays or (),
            calendar.country,
        )
        if calendar.id is not None:
            with _calendars_lock:
                if len(_calendars) > 100:
                    _calendars.clear()
                _calendars[key] = found
    return found


def load_policies() -> list[SlaPolicy]:
    """Every policy with its calendar, in the order they are tried."""
    with db.session.no_autoflush:
        found = db.session.scalars(sa.select(SlaPolicy).options(joinedload(SlaPolicy.calendar))).unique()
        return rules.ordered(list(found))


def current_policies(*, now: datetime | None = None) -> list[SlaPolicy]:
    """`ensure_defaults()`, loaded once per transaction: a burst of changes (a batch of mail) refreshes
    hundreds of tickets against the same few policies.

    The cached rows are the session's own objects, so an unflushed edit to one shows as it did
    before; flushing a policy or calendar, a bulk statement on them, a rollback or the end of the
    transaction drops the list.
    """
    session = db.session()
    root = session.get_transaction()
    cached = session.info.get(_POLICIES_KEY)
    if cached is not None and cached[0] is root:
        return rules.ordered(cached[1])
    policies = ensure_defaults(now=now)
    session.info[_POLICIES_KEY] = (session.get_transaction(), policies)
    return policies


@sa.event.listens_for(Session, "after_flush")
def _policies_flushed(session: Session, _context) -> None:
    if _POLICIES_KEY in session.info and any(
        isinstance(obj, _SETTINGS) for objs in (session.new, session.dirty, session.deleted) for obj in objs
    ):
        del session.info[_POLICIES_KEY]


@sa.event.listens_for(Session, "do_orm_execute")
def _policies_bulk_changed(state) -> None:
    if _POLICIES_KEY in state.session.info and (state.is_update or state.is_delete):
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _SETTINGS_TABLES:
            del state.session.info[_POLICIES_KEY]


@sa.event.listens_for(Session, "after_soft_rollback")
def _policies_rolled_back(session: Session, _previous) -> None:
    session.info.pop(_POLICIES_KEY, None)


def settings_stamp(policies: Iterable[SlaPolicy]) -> datetime:
    """The time of the newest change to these policies or their calendars."""
    times = [t for p in policies for t in (p.updated_at, p.calendar.updated_at)]
    return max(times, default=_BEGINNING)


def ensure_defaults(*, now: datetime | None = None) -> list[SlaPolicy]:
    """The policies, after creating Aftercare's default calendars and policies if there are none."""
    policies = load_policies()
    if policies:
        return policies
    now = now or utcnow()
    try:
        # A savepoint: two first tickets at once both get here; the loser reads the winner's rows.
        with db.session.begin_nested():
            _create_defaults(now)
    except IntegrityError:
        pass
    return load_policies()


def _create_defaults(now: datetime) -> None:
    timezone = current_app.config["DEFAULT_TIMEZONE"]
    country = rules.country_of_timezone(timezone)
    if country not in holiday_presets.list_supported_countries(include_aliases=False):
        country = None
    calendars = {
        "office": Calendar(
            name="Office hours", timezone=timezone, hours=rules.OFFICE_HOURS, country=country, updated_at=now
        ),
        "24x7": Calendar(
            name="Around the clock", timezone=timezone, hours=rules.AROUND_THE_CLOCK, updated_at=now
        ),
    }
    db.session.add_all(calendars.values())
    for position, (name, calendar, match, first, following, resolution) in enumerate(rules.DEFAULT_POLICIES):
        db.session.add(
            SlaPolicy(
                name=name,
                position=position,
                is_default=not match,
                calendar=calendars[calendar],
                first_response_minutes=first,
                next_reply_minutes=following,
                resolution_minutes=resolution,
                warn_percent=rules.DEFAULT_WARN_PERCENT,
                warning_actions=rules.DEFAULT_WARNING_ACTIONS,
                breach_actions=rules.DEFAULT_BREACH_ACTIONS,
                updated_at=now,
                **match,
            )
        )
    db.session.flush()


def policy_for(ticket: Ticket, policies: Sequence[SlaPolicy]) -> SlaPolicy | None:
    """The policy that applies to the ticket as it is now (its priority, kind and organisation's tier)."""
    tier = ticket.organisation.tier if ticket.organisation is not None else None
    return rules.pick(policies, priority=ticket.priority, kind=ticket.kind, tier=tier)


def evaluate_ticket(ticket: Ticket, policies: Sequence[SlaPolicy], *, now: datetime, events=None):
    """(policy, state) of the ticket at `now`, from its history; (None, None) when no policy applies."""
    policy = policy_for(ticket, policies)
    if policy is None:
        return None, None
    history = history_of(ticket) if events is None else events
    # The whole recorded history counts, even a change recorded with a `now` ahead of this one.
    now = max([now, *(event.at for event in history)])
    return policy, evaluate(policy, business_calendar(policy.calendar), history, now)


def history_of(ticket: Ticket) -> list[TicketEvent]:
    """The ticket's events, including those this transaction added and has not flushed yet.

    A query plus the session's new objects rather than the `events` collection: lazy-loading a
    collection that has pending appends keeps those objects in the session after a rollback.
    """
    pending = _pending_events(ticket)
    if _being_opened(pending):
        return pending
    with db.session.no_autoflush:
        stored = db.session.scalars(_HISTORY, {"ticket": ticket.id}).all()
    return [*stored, *pending]


def _pending_events(ticket: Ticket) -> list[TicketEvent]:
    return [obj for obj in db.session.new if isinstance(obj, TicketEvent) and obj.ticket is ticket]


def _being_opened(pending: Sequence[TicketEvent]) -> bool:
    """Whether the ticket's "created" event is still unflushed: its first event, so none of the
    ticket's history is stored yet, nor any clock but those `_add` inserted (open_ticket signals
    before its last flush)."""
    return any(event.kind == "created" for event in pending)


def clocks_of(ticket: Ticket) -> list[SlaClock]:
    """The ticket's stored clocks as this transaction sees them (added, changed, deleted, unflushed)."""
    pending = [obj for obj in db.session.new if isinstance(obj, SlaClock) and obj.ticket is ticket]
    if _being_opened(_pending_events(ticket)) and ticket.id not in _written_by_insert():
        return pending
    with db.session.no_autoflush:
        stored = db.session.scalars(_CLOCKS, {"ticket": ticket.id}).all()
    deleted = db.session.deleted
    return [clock for clock in [*stored, *pending] if clock not in deleted]


def refresh(
    ticket: Ticket,
    *,
    now: datetime | None = None,
    policies: Sequence[SlaPolicy] | None = None,
    events: Sequence[TicketEvent] | None = None,
    clocks: Sequence[SlaClock] | None = None,
) -> SlaState | None:
    """Re-evaluate the ticket's SLA from its history and store the result; returns the state.

    Runs without autoflush: a listener fires in the middle of a service, and flushing there would
    write the ticket (and bump its version) twice.
    """
    now = now or utcnow()
    with db.session.no_autoflush:
        if policies is None:
            policies = current_policies(now=now)
        policy, state = evaluate_ticket(ticket, policies, now=now, events=events)
        stored = clocks_of(ticket) if clocks is None else clocks
        _store(ticket, stored, policy, state, settings_stamp(policies), now)
    return state


def _store(ticket: Ticket, stored, policy: SlaPolicy | None, state: SlaState | None, stamp, now) -> None:
    existing = {(row.target, row.cycle): row for row in stored}
    added = []
    for clock in state.clocks if state is not None else ():
        row = existing.pop((clock.target, clock.cycle), None)
        if row is None:
            added.append(clock)
        else:
            _fill(row, clock, policy, stamp, now)
    _add(ticket, added, policy, stamp, now)
    for row in existing.values():  # a target the policy no longer sets
        if row.id is None:
            db.session.expunge(row)
        else:
            db.session.delete(row)
    due = state.due_at if state is not None else None
    _set_due(ticket, due or NO_SLA_DUE)


def _add(ticket: Ticket, clocks: list[Clock], policy: SlaPolicy, stamp: datetime, now: datetime) -> None:
    """New clock rows. A stored ticket's go in at once with one plain INSERT: as ORM objects they
    would cost the next flush several times that, and every new ticket has some."""
    if not clocks:
        return
    if ticket.id is None:  # the ticket itself is not written yet
        for clock in clocks:
            row = SlaClock(ticket=ticket, target=clock.target, cycle=clock.cycle)
            db.session.add(row)
            _fill(row, clock, policy, stamp, now)
        return
    rows = []
    for clock in clocks:
        values = {"ticket_id": ticket.id, "target": clock.target, "cycle": clock.cycle}
        values |= _values(clock, policy, stamp) | {"computed_at": now, "warned_at": None, "breached_at": None}
        rows.append(values | {"next_check_at": next_check(SimpleNamespace(**values))})
    db.session.connection().execute(_INSERT_CLOCK, rows)
    _written_by_insert().add(ticket.id)


def _written_by_insert() -> set[int]:
    """The tickets whose clocks this transaction wrote with a plain INSERT (see clocks_of)."""
    session = db.session()
    root = session.get_transaction()
    found = session.info.get(_WRITTEN_KEY)
    if found is None or found[0] is not root:
        found = session.info[_WRITTEN_KEY] = (root, set())
    return found[1]


def _fill(row: SlaClock, clock: Clock, policy: SlaPolicy, stamp: datetime, now: datetime) -> None:
    values = _values(clock, policy, stamp)
    if row.id is not None and all(getattr(row, key) == value for key, value in values.items()):
        return
    for key, value in values.items():
        setattr(row, key, value)
    row.computed_at = now
    row.next_check_at = next_check(row)


def _values(clock: Clock, policy: SlaPolicy, stamp: datetime) -> dict:
    return {
        "policy_id": policy.id,
        "phase": clock.phase,
        "outcome": clock.outcome,
        "goal_minutes": int(clock.goal.total_seconds() // 60),
        "used_seconds": int(clock.used.total_seconds()),
        "started_at": clock.started_at,
        "stopped_at": clock.stopped_at,
        "due_at": clock.due_at,
        "warn_at": clock.warn_at,
        "settings_at": stamp,
    }


def next_check(row: SlaClock) -> datetime | None:
    """When the sweep has to act on the clock next: its warning, then its breach, each only once."""
    if row.phase not in ("running", "paused"):
        return None
    times = []
    if row.breached_at is None and row.due_at is not None:
        times.append(row.due_at)
        if row.phase == "running" and row.warned_at is None and row.warn_at is not None:
            times.append(row.warn_at)
    return min(times, default=None)


def _set_due(ticket: Ticket, due: datetime) -> None:
    # A plain UPDATE of this one column: through the ORM it would bump the ticket's version, and
    # an engineer's open form would then be refused as stale for a change nobody made.
    if ticket.sla_due_at == due:
        return
    db.session.connection().execute(_SET_DUE, {"ticket": ticket.id, "due": due})
    set_committed_value(ticket, "sla_due_at", due)


def recompute(ticket_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """Re-evaluate these tickets (after a policy or calendar change); returns how many were done."""
    now = now or utcnow()
    policies = ensure_defaults(now=now)
    tickets = db.session.scalars(
        sa.select(Ticket).where(Ticket.id.in_(ticket_ids)).options(joinedload(Ticket.organisation))
    ).unique()
    events: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in db.session.scalars(
        sa.select(TicketEvent)
        .where(TicketEvent.ticket_id.in_(ticket_ids))
        .order_by(TicketEvent.at, TicketEvent.id)
    ):
        events[event.ticket_id].append(event)
    clocks: dict[int, list[SlaClock]] = defaultdict(list)
    for clock in db.session.scalars(sa.select(SlaClock).where(SlaClock.ticket_id.in_(ticket_ids))):
        clocks[clock.ticket_id].append(clock)
    done = 0
    for ticket in tickets:
        refresh(ticket, now=now, policies=policies, events=events[ticket.id], clocks=clocks[ticket.id])
        done += 1
    db.session.flush()
    return done


def mark_stale(*, organisation_id: int, now: datetime | None = None) -> int:
    """Hand an organisation's open tickets to the sweep for recomputing (after its tier changed).

    Active clocks are stamped as computed before any settings existed, which `stale_ticket_ids`
    picks up; open tickets with no active clock (no policy applied under the old tier) are
    recomputed at once, as the sweep could not find them. Returns how many were recomputed now.
    """
    in_organisation = sa.select(Ticket.id).where(Ticket.organisation_id == organisation_id)
    db.session.execute(
        sa.update(SlaClock)
        .where(SlaClock.ticket_id.in_(in_organisation), SlaClock.phase.in_(("running", "paused")))
        .values(settings_at=_BEGINNING),
        execution_options={"synchronize_session": False},
    )
    active = sa.select(SlaClock.ticket_id).where(SlaClock.phase.in_(("running", "paused")))
    bare = db.session.scalars(
        in_organisation.where(Ticket.status.in_(OPEN_STATUSES), Ticket.id.not_in(active))
    ).all()
    return recompute(bare, now=now) if bare else 0


def stale_ticket_ids(*, limit: int = 200) -> list[int]:
    """Open tickets whose clocks were computed before the latest policy or calendar change.

    Running and paused clocks belong to open tickets; done tickets keep the outcome they had (their
    reopening recomputes them), so the index on (phase, settings_at) holds just what is to do.
    """
    stamp = settings_stamp(load_policies())
    found = db.session.scalars(
        sa.select(SlaClock.ticket_id)
        .where(SlaClock.phase.in_(("running", "paused")), SlaClock.settings_at < stamp)
        .limit(limit * 3)  # at most three active clocks per ticket
    )
    return list(dict.fromkeys(found))[:limit]
