"""The SLA state of a ticket as a pure function of its history: `evaluate(policy, calendar, events, now)`.

Nothing here is stored or edited: due times follow from what happened (the ticket's events) and the
calendar, so they can be recomputed at any time and every one of them can be explained.

The rules, per target:
- first response: from the ticket's creation to the first public staff reply;
- next reply: from a customer's message (once the first response was given) to the next public staff
  reply; a second customer message while one is waiting does not restart the wait;
- resolution: from creation until the ticket is resolved or closed; a reopened ticket carries on with
  the time it had already used.
A clock runs while the ticket is new or open (and on hold, unless the policy pauses there), pauses while
it is pending (waiting on the customer), and a reply clock stands still while the ticket is resolved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sla.clock import BusinessCalendar
from sla.policies import goal, warn_after

RUNNING = frozenset({"new", "open"})
DONE = frozenset({"resolved", "closed"})
ZERO = timedelta(0)


class EventLike(Protocol):
    kind: str
    at: datetime
    data: Mapping | None


@dataclass(frozen=True)
class Event:
    """A history entry as `evaluate` needs it (support.models.TicketEvent has the same attributes)."""

    kind: str
    at: datetime
    data: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Segment:
    """A stretch of a clock's life in one ticket status."""

    start: datetime
    end: datetime | None  # None: still so at `now`
    status: str
    running: bool
    worked: timedelta  # business time counted in it (up to `now` for the last one)


@dataclass(frozen=True)
class Clock:
    target: str  # first_response, next_reply, resolution
    cycle: int  # next replies count 1, 2, ...; the other targets are 0
    goal: timedelta
    started_at: datetime
    stopped_at: datetime | None  # when the target was met or missed for good (reply given, resolved)
    phase: str  # running, paused (pending / on hold), stopped (ticket resolved first), completed
    outcome: str | None  # met or breached once known; breached as soon as the goal is exceeded
    used: timedelta  # business time used, up to `now` or the stop
    due_at: datetime | None  # when the goal is (or was) used up; None while paused before that
    warn_at: datetime | None  # likewise for the warning threshold
    segments: tuple[Segment, ...]

    @property
    def left(self) -> timedelta:
        """Business time left; negative once breached."""
        return self.goal - self.used

    @property
    def breached(self) -> bool:
        return self.outcome == "breached"


@dataclass(frozen=True)
class SlaState:
    now: datetime
    status: str
    clocks: tuple[Clock, ...]

    @property
    def current(self) -> list[Clock]:
        """One clock per target: the latest next-reply cycle stands for its target."""
        latest: dict[str, Clock] = {}
        for clock in self.clocks:
            latest[clock.target] = clock
        return list(latest.values())

    @property
    def due_at(self) -> datetime | None:
        """The earliest due time of a running clock: what the queue sorts by."""
        return min((c.due_at for c in self.clocks if c.phase == "running" and c.due_at), default=None)


@dataclass
class _History:
    created: datetime | None = None
    statuses: list[tuple[datetime, str]] = field(default_factory=list)
    first_reply: datetime | None = None
    cycles: list[list] = field(default_factory=list)  # [start, end or None]


def evaluate(policy, calendar: BusinessCalendar, events: Iterable[EventLike], now: datetime) -> SlaState:
    """The SLA state at `now` of a ticket whose history is `events` (oldest first), under `policy`.

    `policy` is an `SlaPolicy` or a `sla.policies.Terms`; events after `now` are ignored, so the state
    at any earlier moment can be replayed.
    """
    history = _read(events, now)
    if history.created is None:
        return SlaState(now, "new", ())
    running = RUNNING if policy.pause_on_hold else RUNNING | {"on_hold"}
    timeline = _Timeline(history.statuses, running, calendar, now)
    windows = [("first_response", 0, history.created, history.first_reply)]
    windows += [("next_reply", n, start, end) for n, (start, end) in enumerate(history.cycles, start=1)]
    windows.append(("resolution", 0, history.created, None))
    clocks = []
    for target, cycle, start, end in windows:
        allowed = goal(policy, target)
        if allowed is not None:
            clocks.append(timeline.clock(target, cycle, allowed, warn_after(policy, allowed), start, end))
    return SlaState(now, timeline.status_at(now), tuple(clocks))


def _read(events: Iterable[EventLike], now: datetime) -> _History:
    history = _History()
    # Stable: events at the same instant keep the order they were recorded in.
    ordered = sorted((e for e in events if e.at <= now), key=lambda e: e.at)
    created = next((e for e in ordered if e.kind == "created"), None)
    if created is None:
        return history
    history.created = created.at
    history.statuses.append((created.at, "new"))
    for event in ordered:
        # Nothing happens to a ticket before it exists: a change recorded earlier (a back-dated
        # import, say) counts from the creation.
        at, data = max(event.at, created.at), event.data or {}
        if event is created:
            continue
        if event.kind == "status_changed" and data.get("to"):
            history.statuses.append((at, str(data["to"])))
        elif event.kind == "replied" and data.get("by_staff"):
            history.first_reply = history.first_reply or at
            if _waiting(history):
                history.cycles[-1][1] = at
        elif event.kind == "replied" and history.first_reply is not None and not _waiting(history):
            history.cycles.append([at, None])
    return history


def _waiting(history: _History) -> bool:
    """Whether a customer's message is waiting for a reply."""
    return bool(history.cycles) and history.cycles[-1][1] is None


class _Timeline:
    """The ticket's statuses over time, cut into the segments of each clock."""

    def __init__(self, statuses, running: frozenset[str], calendar: BusinessCalendar, now: datetime):
        self.statuses = statuses
        self.running = running
        self.calendar = calendar
        self.now = now

    def status_at(self, moment: datetime) -> str:
        current = self.statuses[0][1]
        for at, status in self.statuses:
            if at > moment:
                break
            current = status
        return current

    def pieces(self, start: datetime, end: datetime | None) -> list[tuple[datetime, datetime | None, str]]:
        status, cursor, found = self.status_at(start), start, []
        for at, new in self.statuses:
            if at <= start or new == status:
                continue
            # A change at the very moment the window ends does not matter; one at `now` does.
            if (end is not None and at >= end) or at > self.now:
                break
            if at > cursor:
                found.append((cursor, at, status))
            cursor, status = at, new
        found.append((cursor, end, status))
        return found

    def clock(self, target, cycle, allowed, warning, start, end) -> Clock:
        segments, used = [], ZERO
        due = warn = None
        for s, e, status in self.pieces(start, end):
            running = status in self.running
            worked = self.calendar.working_time(s, e or self.now) if running else ZERO
            if running:
                # The last running segment is open-ended: its crossing may still lie ahead.
                if due is None and (e is None or used + worked >= allowed):
                    due = self.calendar.add_time(s, allowed - used)
                if warning is not None and warn is None and (e is None or used + worked >= warning):
                    warn = self.calendar.add_time(s, warning - used)
            segments.append(Segment(s, e, status, running, worked))
            used += worked
        final = self.status_at(self.now)
        stopped_at = end if target != "resolution" else self.done_since()
        if stopped_at is not None:
            phase = "completed"
        elif final in self.running:
            phase = "running"
        else:
            phase = "stopped" if final in DONE else "paused"
        outcome = "breached" if used > allowed else "met" if phase == "completed" else None
        return Clock(
            target, cycle, allowed, start, stopped_at, phase, outcome, used, due, warn, tuple(segments)
        )

    def done_since(self) -> datetime | None:
        """When the ticket last became resolved or closed, if it still is at `now`."""
        since = None
        for at, status in self.statuses:
            if at > self.now:
                break
            if status not in DONE:
                since = None
            elif since is None:
                since = at
        return since
