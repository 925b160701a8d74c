"""The stored SLA state follows every ticket change (listeners), and settings changes are validated."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from sla import jobs, services, settings
from sla.models import Calendar, SlaClock, SlaPolicy
from support import services as tickets
from support.models import NO_SLA_DUE, Ticket
from tests.factories import make_engineer, make_org, make_ticket, make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 17:00 in Shanghai, the desk's time zone


def utc(*args):
    return datetime(2026, 11, *args, tzinfo=UTC)


def stored(ticket) -> dict:
    rows = db.session.scalars(sa.select(SlaClock).where(SlaClock.ticket_id == ticket.id))
    return {(row.target, row.cycle): row for row in rows}


def policy_named(name: str) -> SlaPolicy:
    return db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == name))


def test_the_first_ticket_creates_the_default_policies_and_its_clocks():
    ticket = make_ticket(now=NOW)
    names = [p.name for p in services.load_policies()]
    assert names == ["Urgent incidents", "High priority", "Premium customers", "Standard"]
    assert policy_named("Standard").is_default
    office = db.session.scalar(sa.select(Calendar).where(Calendar.name == "Office hours"))
    assert (office.timezone, office.country) == ("Asia/Shanghai", "CN")
    clocks = stored(ticket)
    assert set(clocks) == {("first_response", 0), ("resolution", 0)}
    # Four business hours from Tuesday 17:00: one on Tuesday, three on Wednesday morning.
    assert clocks[("first_response", 0)].due_at == utc(25, 4, 0)
    assert ticket.sla_due_at == utc(25, 4, 0) and ticket.sla_due == utc(25, 4, 0)
    assert ticket.version == 1  # keeping the SLA current is not a change anyone made to the ticket


def test_a_public_staff_reply_stops_the_first_response_and_the_queue_moves_on_to_resolution():
    ticket = make_ticket(now=NOW)
    note = NOW + timedelta(minutes=5)
    tickets.add_message(ticket, author=make_engineer(), body="Looking.", internal=True, now=note)
    assert stored(ticket)[("first_response", 0)].phase == "running"  # a note is no response
    tickets.add_message(ticket, author=make_engineer(), body="On it.", now=NOW + timedelta(minutes=30))
    clocks = stored(ticket)
    assert (clocks[("first_response", 0)].phase, clocks[("first_response", 0)].outcome) == (
        "completed",
        "met",
    )
    assert clocks[("first_response", 0)].next_check_at is None
    assert ticket.sla_due_at == clocks[("resolution", 0)].due_at


def test_waiting_on_the_customer_pauses_and_their_reply_resumes_with_a_next_reply_target():
    engineer = make_engineer()
    ticket = make_ticket(now=NOW)
    tickets.add_message(ticket, author=engineer, body="Which version?", now=NOW + timedelta(minutes=10))
    tickets.change_status(ticket, "pending", actor=engineer, now=NOW + timedelta(minutes=10))
    assert stored(ticket)[("resolution", 0)].phase == "paused"
    assert ticket.sla_due_at == NO_SLA_DUE and ticket.sla_due is None

    answer = NOW + timedelta(days=1)  # Wednesday 17:00 Shanghai
    tickets.add_message(ticket, author=ticket.requester, body="3.2.1", now=answer)
    assert ticket.status == "open"
    clocks = stored(ticket)
    assert clocks[("resolution", 0)].phase == "running"
    assert clocks[("next_reply", 1)].started_at == answer
    # Eight business hours for the next reply: Wednesday 17-18, Thursday 9-12 and 13-17.
    assert clocks[("next_reply", 1)].due_at == utc(26, 9, 0)
    assert ticket.sla_due_at == utc(26, 9, 0)


def test_raising_the_priority_applies_the_policy_for_it():
    engineer = make_engineer()
    ticket = make_ticket(now=NOW)
    tickets.update_ticket(ticket, actor=engineer, priority="urgent", now=NOW + timedelta(minutes=5))
    first = stored(ticket)[("first_response", 0)]
    assert first.policy.name == "Urgent incidents"
    assert first.due_at == NOW + timedelta(minutes=30)  # around the clock, measured from the start


def test_premium_customers_get_their_policy_and_first_match_wins():
    premium = make_user(org=make_org(tier="premium"))
    assert stored(make_ticket(premium, now=NOW))[("resolution", 0)].policy.name == "Premium customers"
    urgent = make_ticket(premium, priority="urgent", now=NOW)
    assert stored(urgent)[("resolution", 0)].policy.name == "Urgent incidents"  # listed first


def test_merging_closes_the_duplicates_clocks():
    engineer = make_engineer()
    original = make_ticket(now=NOW)
    duplicate = make_ticket(original.requester, now=NOW)
    tickets.merge_tickets(duplicate, original, actor=engineer, now=NOW + timedelta(minutes=5))
    assert stored(duplicate)[("resolution", 0)].phase == "completed"
    assert duplicate.sla_due is None and original.sla_due is not None


def test_a_policy_change_reaches_open_tickets_on_the_next_sweep():
    ticket = make_ticket(now=NOW)
    db.session.commit()
    standard = policy_named("Standard")
    settings.save_policy(
        standard,
        name="Standard",
        calendar=standard.calendar,
        first_response_minutes=60,
        resolution_minutes=standard.resolution_minutes,
        now=NOW + timedelta(minutes=1),
    )
    db.session.commit()
    assert ticket.id in services.stale_ticket_ids()
    result = jobs.sweep(NOW + timedelta(minutes=2))
    assert result.recomputed == 1
    assert ticket.sla_due_at == NOW + timedelta(hours=1)  # Tuesday 17:00 + 1 business hour
    assert ("next_reply", 1) not in stored(ticket) and services.stale_ticket_ids() == []


def test_recompute_rebuilds_what_was_lost():
    ticket = make_ticket(now=NOW)
    db.session.execute(sa.delete(SlaClock))
    db.session.execute(sa.update(Ticket).values(sla_due_at=NO_SLA_DUE))
    db.session.expire_all()
    assert services.recompute([ticket.id], now=NOW) == 1
    assert ticket.sla_due_at == utc(25, 4, 0) and len(stored(ticket)) == 2


def test_the_cli_recomputes_and_sweeps(app):
    make_ticket(now=NOW)
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["sla", "recompute"]).output.strip() == "recomputed 1 tickets"
    assert runner.invoke(args=["sla", "sweep"]).output.startswith("warned ")


# -- settings ----------------------------------------------------------------------------------------


OFFICE = {"mon": [("09:00", "18:00")]}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"hours": {}}, "hours", "could never fall due"),
        ({"hours": {"sat": [("00:00", "00:00")]}}, "sat", "does not end after it starts"),
        ({"hours": {"tue": [("18:00", "09:00")]}}, "tue", "night shift is two ranges"),
        ({"hours": {"mon": [("09:00", "13:00"), ("12:00", "18:00")]}}, "mon", "overlap"),
        ({"hours": {"mon": [("9am", "5pm")]}}, "mon", "not a time of day"),
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"holidays": ["2026-10-01"], "workdays": ["2026-10-01"]}, "workdays", "both"),
        ({"holidays": ["1st of May"]}, "holidays", "not a date"),
        ({"country": "XX"}, "country", "no public holidays"),
    ],
)
def test_unusable_calendars_are_refused_naming_the_field(fields, field, message):
    with pytest.raises(settings.SlaError) as refused:
        settings.save_calendar(None, name="Odd", **{"timezone": "Asia/Shanghai", "hours": OFFICE, **fields})
    assert refused.value.field == field and message in str(refused.value)


def test_a_saved_calendar_is_normalised():
    calendar = settings.save_calendar(
        None,
        name="  Berlin   office ",
        timezone="Europe/Berlin",
        hours={"fri": [("13:00", "17:00"), ("8:30", "12:00")]},
        holidays=["2026-12-24", "2026-12-24"],
        country="de",
    )
    assert calendar.name == "Berlin office" and calendar.country == "DE"
    assert calendar.hours == {"fri": [["08:30", "12:00"], ["13:00", "17:00"]]}
    assert calendar.holidays == ["2026-12-24"] and calendar.workdays == []
    with pytest.raises(settings.SlaError, match="already exists"):
        settings.save_calendar(None, name="Berlin office", timezone="UTC", hours=OFFICE)


def test_a_calendar_in_use_cannot_be_deleted():
    make_ticket(now=NOW)
    office = policy_named("Standard").calendar
    with pytest.raises(settings.SlaError, match="uses this calendar"):
        settings.delete_calendar(office)
    spare = settings.save_calendar(None, name="Spare", timezone="UTC", hours=OFFICE)
    settings.delete_calendar(spare)
    assert db.session.get(Calendar, spare.id) is None


def test_policy_rules():
    make_ticket(now=NOW)
    standard, office = policy_named("Standard"), policy_named("Standard").calendar
    with pytest.raises(settings.SlaError) as refused:
        settings.save_policy(None, name="VIP", calendar=office, breach_actions=["notify_lead"])
    assert refused.value.field == "lead"
    with pytest.raises(settings.SlaError) as refused:
        settings.save_policy(None, name="VIP", calendar=office, warn_percent=100)
    assert refused.value.field == "warn_percent"
    with pytest.raises(settings.SlaError) as refused:
        settings.save_policy(
            None, name="VIP", calendar=office, breach_actions=["reassign"], reassign_to=make_user()
        )
    assert refused.value.field == "reassign_to"
    with pytest.raises(settings.SlaError, match="already exists"):
        settings.save_policy(None, name="Standard", calendar=office)
    # The default one stays active and keeps matching everything else.
    settings.save_policy(standard, name="Standard", calendar=office, active=False, priorities=["low"])
    assert standard.active and standard.priorities == "" and standard.is_default


def test_policies_are_tried_in_the_order_the_admin_sets():
    make_ticket(now=NOW)
    office = policy_named("Standard").calendar
    questions = settings.save_policy(None, name="Questions", calendar=office, kinds=["question"])
    assert [p.name for p in services.load_policies()][-2:] == ["Questions", "Standard"]
    for _ in range(3):
        settings.move_policy(questions, -1)
    assert [p.name for p in services.load_policies()][0] == "Questions"
    settings.move_policy(questions, -1)  # already first: nothing happens
    settings.move_policy(policy_named("Standard"), -1)  # the default stays last
    assert [p.name for p in services.load_policies()][-1] == "Standard"


def test_a_tier_change_reaches_the_organisations_open_tickets_on_the_next_sweep():
    from core import services as accounts

    org = make_org(tier="standard")
    ticket = make_ticket(requester=make_user(org=org), now=NOW)
    other = make_ticket(now=NOW)  # another organisation: not recomputed
    db.session.commit()
    assert ticket.sla_due_at == utc(25, 4, 0)  # Standard: four business hours
    accounts.save_organisation(org, name=org.name, tier="premium", email_domains="")
    db.session.commit()
    assert services.stale_ticket_ids() == [ticket.id]
    jobs.sweep(NOW + timedelta(minutes=1))
    assert ticket.sla_due_at == utc(25, 2, 0)  # Premium customers: two business hours
    assert other.sla_due_at == utc(25, 4, 0) and services.stale_ticket_ids() == []
