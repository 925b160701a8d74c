"""Reads for pages and the API: a ticket's SLA (live, from its history), queue badges, explanations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from core.extensions import db
from sla import services
from sla.clock import BusinessCalendar, DayRule
from sla.models import Calendar, SlaClock, SlaPolicy
from sla.timers import Clock, SlaState
from support.models import Ticket

EXPLAIN_DAYS = 45  # beyond this many local dates the explanation lists only the unusual ones
PREVIEW_HOURS = (1, 4, 8, 40)


@dataclass(frozen=True)
class TicketSla:
    """A ticket's SLA evaluated now from its history, with what it was evaluated under."""

    policy: SlaPolicy
    calendar: Calendar
    clock: BusinessCalendar
    state: SlaState
    markers: dict  # (target, cycle) -> SlaClock row (warned_at / breached_at) when stored

    @property
    def current(self) -> list[Clock]:
        return self.state.current


def ticket_sla(ticket: Ticket, *, now: datetime, events=None, with_markers: bool = False) -> TicketSla | None:
    """The ticket's SLA at `now`, computed from its history; None when no policy exists yet."""
    policies = services.load_policies()
    policy, state = services.evaluate_ticket(ticket, policies, now=now, events=events)
    if policy is None:
        return None
    markers = {}
    if with_markers:
        markers = {(row.target, row.cycle): row for row in services.clocks_of(ticket)}
    return TicketSla(policy, policy.calendar, services.business_calendar(policy.calendar), state, markers)


# -- the queue -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    """What the queue says about a ticket's most pressing SLA target."""

    kind: str  # overdue, warning, running, paused, met, breached
    target: str
    due_at: datetime | None
    left: timedelta | None  # business time; negative once overdue


def queue_badges(tickets: Sequence[Ticket], *, now: datetime) -> dict[int, Badge]:
    """{ticket id: Badge} for the tickets that have SLA clocks, in two queries.

    The clocks are read as plain rows, not objects: a queue page has a hundred of them and needs
    eight columns of each."""
    ids = [t.id for t in tickets]
    if not ids:
        return {}
    rows = db.session.execute(sa.select(*_BADGE_COLUMNS).where(SlaClock.ticket_id.in_(ids))).all()
    policy_ids = {row.policy_id for row in rows if row.policy_id is not None}
    calendars: dict[int, BusinessCalendar] = {}
    if policy_ids:
        # Each policy's calendar loaded once (decoding its hours and holidays), then the process's clock.
        found = db.session.execute(
            sa.select(SlaPolicy.id, Calendar)
            .join(Calendar, SlaPolicy.calendar_id == Calendar.id)
            .where(SlaPolicy.id.in_(policy_ids))
        )
        calendars = {policy_id: services.business_calendar(calendar) for policy_id, calendar in found}
    clocks: dict[int, list] = defaultdict(list)
    for row in rows:
        clocks[row.ticket_id].append(row)
    badges = {}
    for ticket_id, found_rows in clocks.items():
        badge = _badge(found_rows, now, calendars)
        if badge is not None:
            badges[ticket_id] = badge
    return badges


_BADGE_COLUMNS = (
    SlaClock.ticket_id,
    SlaClock.policy_id,
    SlaClock.target,
    SlaClock.phase,
    SlaClock.due_at,
    SlaClock.warn_at,
    SlaClock.goal_minutes,
    SlaClock.used_seconds,
    SlaClock.outcome,
)


def _badge(rows, now: datetime, calendars: dict[int, BusinessCalendar]) -> Badge | None:
    running = [r for r in rows if r.phase == "running" and r.due_at is not None]
    if running:
        row = min(running, key=lambda r: r.due_at)
        left = _left(row.due_at, now, calendars.get(row.policy_id))
        if row.due_at < now:
            kind = "overdue"
        else:
            kind = "warning" if row.warn_at is not None and row.warn_at <= now else "running"
        return Badge(kind, row.target, row.due_at, left)
    paused = [r for r in rows if r.phase == "paused"]
    if paused:
        row = min(paused, key=lambda r: r.goal_minutes * 60 - r.used_seconds)
        return Badge("paused", row.target, None, timedelta(seconds=row.goal_minutes * 60 - row.used_seconds))
    done = [r for r in rows if r.target == "resolution" and r.outcome is not None]
    if done:
        return Badge(done[0].outcome, "resolution", None, None)
    return None


def _left(due_at: datetime, now: datetime, clock: BusinessCalendar | None) -> timedelta:
    """Business time until `due_at` (negative once past); wall time when the policy is gone."""
    if clock is None:
        return due_at - now
    if due_at >= now:
        return clock.working_time(now, due_at)
    return -clock.working_time(due_at, now)


# -- explanations ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayLine:
    day: date
    rule: DayRule
    worked: timedelta  # business time this clock counted on that local date


@dataclass(frozen=True)
class Explanation:
    clock: Clock
    marker: SlaClock | None
    last_run: datetime | None  # the start of the running stretch the due time is counted from
    used_before: timedelta  # business time used before that stretch
    days: list[DayLine]
    days_cut: bool  # only unusual dates are listed (a long span)


def explain(sla: TicketSla) -> list[Explanation]:
    """Per clock: the run/pause segments and the calendar dates that produced its due time."""
    found = []
    for clock in sla.state.clocks:
        runs = [s for s in clock.segments if s.running]
        last = runs[-1] if runs else None
        used_before = clock.used - last.worked if last else clock.used
        until = clock.due_at or clock.stopped_at or sla.state.now
        days, cut = _days(sla.clock, clock, max(until, clock.started_at), sla.state.now)
        found.append(
            Explanation(
                clock,
                sla.markers.get((clock.target, clock.cycle)),
                last.start if last else None,
                used_before,
                days,
                cut,
            )
        )
    return found


def _days(
    calendar: BusinessCalendar, clock: Clock, until: datetime, now: datetime
) -> tuple[list[DayLine], bool]:
    zone = calendar.tz
    first, last = clock.started_at.astimezone(zone).date(), until.astimezone(zone).date()
    count = (last - first).days + 1
    cut = count > EXPLAIN_DAYS
    lines = []
    for offset in range(count):
        day = first + timedelta(days=offset)
        rule = calendar.describe(day)
        if cut and rule.kind == "weekday" and day not in (first, last):
            continue
        lines.append(DayLine(day, rule, _worked_on(calendar, clock, day, now)))
    return lines, cut


def _worked_on(calendar: BusinessCalendar, clock: Clock, day: date, now: datetime) -> timedelta:
    zone = calendar.tz
    start = datetime.combine(day, datetime.min.time(), zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    total = timedelta(0)
    for segment in clock.segments:
        if segment.running:
            # The running stretch still open is counted up to the due time it leads to.
            until = segment.end or clock.due_at or now
            total += calendar.working_time(max(segment.start, start), min(until, end))
    return total


# -- settings --------------------------------------------------------------------------------------------


def preview(calendar: BusinessCalendar, start: datetime) -> list[tuple[int, datetime]]:
    """(hours, due) for targets of a few sizes started at `start`."""
    return [(hours, calendar.add(start, hours * 60)) for hours in PREVIEW_HOURS]


def calendars() -> list[tuple[Calendar, int]]:
    """Every calendar with the number of policies using it."""
    used = (
        sa.select(sa.func.count(SlaPolicy.id))
        .where(SlaPolicy.calendar_id == Calendar.id)
        .correlate(Calendar)
        .scalar_subquery()
    )
    return [(row[0], row[1]) for row in db.session.execute(sa.select(Calendar, used).order_by(Calendar.name))]


def policies() -> list[SlaPolicy]:
    return services.load_policies()
