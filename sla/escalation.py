"""What a warning or a breach sets off: raise the priority, reassign, notify the assignee and the lead.

Reassigning goes to the policy's engineer, or to its team's active member with the fewest open tickets
(ties: the lowest id), never back to the current assignee when someone else can take it. A team with
nobody able to take the ticket leaves it where it is, and the sweep logs why.

Ticket changes go through `support.services` with no actor, so they appear in the ticket's history as
done by the system; mail leaves after the sweep's commit (`core.mail.queue_mail`), in the language and
time zone of whoever receives it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core.extensions import db
from core.mail import queue_mail
from core.models import Role, Team, User, team_members
from sla.labels import TARGET_LABELS, business_time
from sla.models import SlaClock
from sla.services import business_calendar
from support import services as tickets
from support.labels import PRIORITY_LABELS
from support.models import OPEN_STATUSES, Priority, Ticket

# One step up per escalation; urgent stays urgent.
RAISED = {Priority.low: Priority.normal, Priority.normal: Priority.high, Priority.high: Priority.urgent}


def carry_out(clock: SlaClock, stage: str, now: datetime) -> list[str]:
    """Carry out the policy's actions for `stage` ("warning" or "breach"); returns the ones done."""
    policy = clock.policy
    if policy is None:
        return []
    actions = policy.actions(stage)
    ticket = clock.ticket
    if {"raise_priority", "reassign"} & set(actions):
        # Lock the ticket (PostgreSQL): another sweeper escalating another target of it waits here and
        # then sees this change, instead of failing on a stale version.
        ticket = db.session.scalars(
            sa.select(Ticket)
            .where(Ticket.id == clock.ticket_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
    done = []
    for action in actions:
        if action == "raise_priority" and ticket.priority in RAISED:
            tickets.update_ticket(ticket, actor=None, priority=RAISED[Priority(ticket.priority)], now=now)
        elif action == "reassign" and (engineer := _reassignee(clock, ticket, stage)) is not None:
            tickets.assign(ticket, engineer, actor=None, now=now)
        elif action == "notify_assignee" and ticket.assignee is not None:
            _notify(ticket.assignee, clock, ticket, stage, now)
        elif action == "notify_lead" and policy.lead is not None and policy.lead.active:
            _notify(policy.lead, clock, ticket, stage, now)
        else:
            continue
        done.append(action)
    return done


def _left(clock: SlaClock, now: datetime):
    if clock.due_at is None or clock.policy is None:
        return None
    return business_calendar(clock.policy.calendar).working_time(now, clock.due_at)


def _can_take(engineer: User | None, ticket: Ticket) -> bool:
    return engineer is not None and engineer.active and engineer.is_staff and engineer is not ticket.assignee


def _reassignee(clock: SlaClock, ticket: Ticket, stage: str) -> User | None:
    """Who the "reassign" action gives the ticket to; None leaves it with its assignee."""
    team = clock.policy.reassign_team
    if team is None:
        if clock.policy.reassign_to is None:  # its team was deleted since the policy was saved
            current_app.logger.warning(
                "SLA %s of ticket #%s (%s): policy %s names nobody to reassign to",
                stage,
                ticket.id,
                clock.target,
                clock.policy.name,
            )
        return clock.policy.reassign_to if _can_take(clock.policy.reassign_to, ticket) else None
    chosen = _least_loaded(team, besides=ticket.assignee_id)
    if chosen is None or chosen.id == ticket.assignee_id:
        # Nothing changes on the ticket, so its history cannot say why: the log does.
        current_app.logger.warning(
            "SLA %s of ticket #%s (%s): team %s has no %s member to reassign to; it stays with %s",
            stage,
            ticket.id,
            clock.target,
            team.name,
            "active" if chosen is None else "other active",
            ticket.assignee.email if ticket.assignee else "nobody",
        )
        return None
    return chosen


def _least_loaded(team: Team, *, besides: int | None) -> User | None:
    """The team's active engineer or admin with the fewest open tickets, preferring anyone but `besides`."""
    load = (
        sa.select(sa.func.count(Ticket.id))
        .where(Ticket.assignee_id == User.id, Ticket.status.in_(OPEN_STATUSES))
        .correlate(User)
        .scalar_subquery()
    )
    members = db.session.scalars(
        sa.select(User)
        .join(team_members, team_members.c.user_id == User.id)
        .where(
            team_members.c.team_id == team.id,
            User.active.is_(True),
            User.role.in_([Role.engineer, Role.admin]),
        )
        .order_by(load, User.id)
    ).all()
    others = [user for user in members if user.id != besides]
    return next(iter(others or members), None)


def _notify(person: User, clock: SlaClock, ticket: Ticket, stage: str, now: datetime) -> None:
    config = current_app.config
    zone = ZoneInfo(person.timezone or config["DEFAULT_TIMEZONE"])
    due = clock.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if clock.due_at else ""
    link = f"{config['BASE_URL'].rstrip('/')}/queue/tickets/{ticket.id}"
    with force_locale(person.locale or config["BABEL_DEFAULT_LOCALE"]):
        target = str(TARGET_LABELS[clock.target])
        if stage == "warning":
            subject = _(
                "[#%(number)s] SLA warning: %(target)s due %(due)s", number=ticket.id, target=target, due=due
            )
            status = _(
                "%(target)s is due at %(due)s; %(left)s of business time is left.",
                target=target,
                due=due,
                left=business_time(_left(clock, now)),
            )
        else:
            subject = _(
                "[#%(number)s] SLA breached: %(target)s was due %(due)s",
                number=ticket.id,
                target=target,
                due=due,
            )
            status = _("%(target)s was due at %(due)s and has not been met.", target=target, due=due)
        body = "\n\n".join(
            [
                _("Ticket #%(number)s: %(subject)s", number=ticket.id, subject=ticket.subject),
                status,
                _(
                    "Priority: %(priority)s. Assignee: %(assignee)s. Policy: %(policy)s.",
                    priority=PRIORITY_LABELS.get(ticket.priority, ticket.priority),
                    assignee=ticket.assignee.display_name if ticket.assignee else _("nobody"),
                    policy=clock.policy.name,
                ),
                link,
            ]
        )
    queue_mail(person.email, subject, body)
