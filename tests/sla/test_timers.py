"""SLA clocks as a pure function of a ticket's history: what engineers and customers rely on."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.clock import WEEKDAYS, BusinessCalendar
from sla.policies import Terms
from sla.timers import Event, evaluate

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = BusinessCalendar(
    "Asia/Shanghai", {d: [("09:00", "12:00"), ("13:00", "18:00")] for d in WEEKDAYS[:5]}
)
ALWAYS = BusinessCalendar.always()
POLICY = Terms(first_response_minutes=60, next_reply_minutes=120, resolution_minutes=8 * 60, warn_percent=75)


def at(day, hour, minute=0):
    """March 2026 in Shanghai: the 2nd is a Monday."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def created(when):
    return Event("created", when, {"priority": "normal"})


def staff_reply(when):
    return Event("replied", when, {"by_staff": True})


def customer_reply(when):
    return Event("replied", when, {"by_staff": False})


def status(when, old, new):
    return Event("status_changed", when, {"from": old, "to": new})


def clocks(state):
    return {(c.target, c.cycle): c for c in state.clocks}


def test_a_new_ticket_runs_every_target_from_its_creation_in_business_time():
    state = evaluate(POLICY, OFFICE, [created(at(2, 11, 30))], at(2, 11, 45))
    first, resolution = clocks(state)[("first_response", 0)], clocks(state)[("resolution", 0)]
    assert first.phase == "running" and first.outcome is None
    assert first.due_at == at(2, 13, 30)  # 30 minutes before lunch, 30 after
    assert first.warn_at == at(2, 13, 15)  # 75 % of an hour used
    assert first.used == timedelta(minutes=15) and first.left == timedelta(minutes=45)
    assert resolution.due_at == at(3, 11, 30)  # 8 business hours later, the next morning
    assert ("next_reply", 1) not in clocks(state)  # nobody is waiting for a reply yet
    assert state.due_at == first.due_at


def test_first_response_stops_at_the_first_public_staff_reply_not_at_notes_or_customer_messages():
    events = [
        created(at(2, 10)),
        Event("noted", at(2, 10, 10), {"by_staff": True}),
        customer_reply(at(2, 10, 20)),
        staff_reply(at(2, 10, 40)),
        status(at(2, 10, 40), "new", "open"),
    ]
    first = clocks(evaluate(POLICY, OFFICE, events, at(2, 12)))[("first_response", 0)]
    assert (first.phase, first.outcome, first.stopped_at) == ("completed", "met", at(2, 10, 40))
    assert first.used == timedelta(minutes=40)
    assert first.due_at is None  # met: no due time is pending any more


def test_a_late_first_response_is_breached_and_keeps_the_time_it_was_due():
    events = [created(at(2, 10)), staff_reply(at(2, 14))]
    first = clocks(evaluate(POLICY, OFFICE, events, at(2, 15)))[("first_response", 0)]
    assert (first.phase, first.outcome) == ("completed", "breached")
    assert first.due_at == at(2, 11) and first.used == timedelta(hours=3)


def test_a_running_clock_past_its_due_time_is_breached_and_still_running():
    first = clocks(evaluate(POLICY, OFFICE, [created(at(2, 10))], at(2, 15)))[("first_response", 0)]
    assert (first.phase, first.outcome) == ("running", "breached")
    assert first.left == -timedelta(hours=3)  # 10-12 and 13-15 used, against the one hour allowed


def test_pending_pauses_resolution_and_the_customers_reply_resumes_it():
    events = [
        created(at(2, 9)),
        staff_reply(at(2, 10)),
        status(at(2, 10), "new", "pending"),  # asked the customer for logs
        customer_reply(at(4, 16)),  # two days later
        status(at(4, 16), "pending", "open"),
    ]
    paused = clocks(evaluate(POLICY, OFFICE, events, at(3, 12)))[("resolution", 0)]
    assert paused.phase == "paused" and paused.due_at is None
    assert paused.used == timedelta(hours=1) and paused.left == timedelta(hours=7)

    resumed = clocks(evaluate(POLICY, OFFICE, events, at(4, 16, 30)))[("resolution", 0)]
    assert resumed.phase == "running"
    assert resumed.used == timedelta(hours=1, minutes=30)
    # 7 hours left from Wednesday 16:00: two today, five on Thursday (9-12, 13-15).
    assert resumed.due_at == at(5, 15)
    assert [(s.status, s.running) for s in resumed.segments] == [
        ("new", True),
        ("pending", False),
        ("open", True),
    ]
    assert resumed.segments[1].worked == timedelta(0)


def test_the_customers_reply_starts_a_next_reply_clock_that_the_next_public_reply_stops():
    events = [
        created(at(2, 9)),
        staff_reply(at(2, 9, 30)),
        status(at(2, 9, 30), "new", "pending"),
        customer_reply(at(2, 11)),
        status(at(2, 11), "pending", "open"),
        customer_reply(at(2, 11, 30)),  # a second message while waiting does not restart the wait
        staff_reply(at(2, 13, 30)),
        customer_reply(at(2, 17)),
    ]
    state = evaluate(POLICY, OFFICE, events, at(3, 10))
    first, second = clocks(state)[("next_reply", 1)], clocks(state)[("next_reply", 2)]
    assert (first.started_at, first.stopped_at, first.outcome) == (at(2, 11), at(2, 13, 30), "met")
    assert first.used == timedelta(hours=1, minutes=30)  # lunch does not count
    assert (second.phase, second.started_at, second.due_at) == ("running", at(2, 17), at(3, 10))
    assert [c.cycle for c in state.current if c.target == "next_reply"] == [2]


def test_resolving_stops_resolution_and_reopening_carries_on_with_the_time_already_used():
    events = [
        created(at(2, 9)),
        staff_reply(at(2, 10)),
        status(at(2, 10), "new", "open"),
        status(at(2, 15), "open", "resolved"),  # 5 hours used (9-12, 13-15)
        customer_reply(at(3, 9)),  # "still broken"
        status(at(3, 9), "resolved", "open"),
    ]
    done = clocks(evaluate(POLICY, OFFICE, events[:4], at(2, 16)))[("resolution", 0)]
    assert (done.phase, done.outcome, done.stopped_at) == ("completed", "met", at(2, 15))
    assert done.used == timedelta(hours=5)

    reopened = clocks(evaluate(POLICY, OFFICE, events, at(3, 9, 30)))[("resolution", 0)]
    assert reopened.phase == "running" and reopened.outcome is None and reopened.stopped_at is None
    assert reopened.used == timedelta(hours=5, minutes=30)  # no fresh start, and no instant breach either
    assert reopened.due_at == at(3, 12)  # the 3 hours that were left


def test_closing_after_resolving_keeps_the_moment_it_was_resolved():
    events = [
        created(at(2, 9)),
        status(at(2, 11), "new", "resolved"),
        status(at(2, 16), "resolved", "closed"),
    ]
    resolution = clocks(evaluate(POLICY, OFFICE, events, at(3, 9)))[("resolution", 0)]
    assert resolution.stopped_at == at(2, 11)


def test_a_ticket_resolved_before_any_reply_stops_the_reply_clocks_without_an_outcome():
    events = [created(at(2, 9)), status(at(2, 9, 30), "new", "resolved")]
    first = clocks(evaluate(POLICY, OFFICE, events, at(2, 17)))[("first_response", 0)]
    assert (first.phase, first.outcome, first.used) == ("stopped", None, timedelta(minutes=30))


@pytest.mark.parametrize(("pause_on_hold", "used", "phase"), [(False, 3, "running"), (True, 1, "paused")])
def test_on_hold_runs_or_pauses_as_the_policy_says(pause_on_hold, used, phase):
    policy = Terms(resolution_minutes=8 * 60, pause_on_hold=pause_on_hold)
    events = [created(at(2, 9)), status(at(2, 10), "new", "on_hold")]  # waiting on the vendor
    resolution = clocks(evaluate(policy, OFFICE, events, at(2, 12)))[("resolution", 0)]
    assert resolution.used == timedelta(hours=used) and resolution.phase == phase


def test_a_policy_change_recomputes_every_due_time_from_the_same_history():
    events = [created(at(2, 9)), staff_reply(at(2, 9, 45))]
    before = evaluate(POLICY, OFFICE, events, at(2, 10))
    stricter = Terms(first_response_minutes=30, resolution_minutes=60)
    after = evaluate(stricter, ALWAYS, events, at(2, 10))
    assert clocks(before)[("first_response", 0)].outcome == "met"
    assert clocks(after)[("first_response", 0)].outcome == "breached"
    assert clocks(after)[("resolution", 0)].due_at == at(2, 10)
    assert ("next_reply", 1) not in clocks(after)  # a target the policy does not set has no clock


def test_the_state_at_an_earlier_moment_ignores_later_events():
    events = [created(at(2, 9)), staff_reply(at(2, 9, 30))]
    earlier = evaluate(POLICY, OFFICE, events, at(2, 9, 15))
    assert clocks(earlier)[("first_response", 0)].phase == "running"
    assert evaluate(POLICY, OFFICE, [], at(2, 9)).clocks == ()


@pytest.mark.parametrize(
    ("policy", "warn_at"),
    [
        (Terms(first_response_minutes=60, warn_minutes=10), (2, 9, 50)),
        (Terms(first_response_minutes=60, warn_percent=50, warn_minutes=10), (2, 9, 30)),  # the earlier
        # A warning the moment the clock starts would tell nobody anything.
        (Terms(first_response_minutes=60, warn_minutes=60), None),
        (Terms(first_response_minutes=60), None),
    ],
)
def test_warning_thresholds(policy, warn_at):
    first = clocks(evaluate(policy, OFFICE, [created(at(2, 9))], at(2, 9)))[("first_response", 0)]
    assert first.warn_at == (at(*warn_at) if warn_at else None)


def test_due_times_are_aware_utc_and_the_result_is_deterministic():
    events = [created(at(2, 9).astimezone(UTC))]
    one, two = evaluate(POLICY, OFFICE, events, at(2, 10)), evaluate(POLICY, OFFICE, list(events), at(2, 10))
    assert one == two
    assert all(c.due_at.tzinfo is UTC for c in one.clocks)


def test_a_change_recorded_before_the_creation_counts_from_the_creation():
    events = [status(at(2, 9), "new", "pending"), created(at(2, 10))]
    resolution = clocks(evaluate(POLICY, OFFICE, events, at(2, 12)))[("resolution", 0)]
    assert resolution.phase == "paused" and resolution.used == timedelta(0)


_STEPS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3 * 24 * 60),  # minutes after the previous event
        st.sampled_from(["open", "pending", "on_hold", "resolved", "staff", "customer"]),
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=_STEPS, pause_on_hold=st.booleans(), later=st.integers(min_value=0, max_value=10 * 24 * 60))
def test_clocks_add_up_whatever_the_history(steps, pause_on_hold, later):
    policy = Terms(
        first_response_minutes=90, next_reply_minutes=45, resolution_minutes=600, pause_on_hold=pause_on_hold
    )
    moment, current, events = at(2, 10), "new", [created(at(2, 10))]
    for gap, what in steps:
        moment += timedelta(minutes=gap)
        if what in ("staff", "customer"):
            events.append(staff_reply(moment) if what == "staff" else customer_reply(moment))
        elif what != current:
            events.append(status(moment, current, what))
            current = what
    now = moment + timedelta(minutes=later)
    for clock in evaluate(policy, OFFICE, events, now).clocks:
        # Used time is what the running segments counted, and left is the rest of the goal.
        assert clock.used == sum((s.worked for s in clock.segments if s.running), timedelta(0))
        assert clock.used + clock.left == clock.goal
        assert (clock.outcome == "breached") == (clock.used > clock.goal)
        if clock.due_at is not None:
            # The due time is the instant the running segments have used up exactly the goal; the
            # segment still running counts on towards it.
            due = clock.due_at
            runs = [(s.start, min(s.end or due, due)) for s in clock.segments if s.running and s.start < due]
            assert sum((OFFICE.working_time(a, b) for a, b in runs), timedelta(0)) == clock.goal
        if clock.phase == "running":
            assert clock.due_at is not None and clock.stopped_at is None
