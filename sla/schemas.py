"""What the SLA API answers: a ticket's clocks, policies and calendars."""

from __future__ import annotations

from marshmallow import Schema, fields

from sla.models import ACTIONS, PHASES, TARGETS


def _seconds(value) -> int:
    return int(value.total_seconds())


class SegmentOut(Schema):
    start = fields.DateTime()
    end = fields.DateTime(allow_none=True, metadata={"description": "null: still so now."})
    status = fields.String(metadata={"description": "The ticket's status during the segment."})
    running = fields.Boolean()
    worked_seconds = fields.Function(
        lambda s: _seconds(s.worked), metadata={"description": "Business time counted in the segment."}
    )


class ClockOut(Schema):
    target = fields.String(metadata={"enum": list(TARGETS)})
    cycle = fields.Integer(metadata={"description": "Next replies count 1, 2, ...; other targets are 0."})
    phase = fields.String(metadata={"enum": list(PHASES)})
    outcome = fields.String(allow_none=True, metadata={"enum": ["met", "breached", None]})
    goal_minutes = fields.Function(
        lambda c: _seconds(c.goal) // 60, metadata={"description": "Business minutes."}
    )
    used_seconds = fields.Function(
        lambda c: _seconds(c.used), metadata={"description": "Business time used."}
    )
    left_seconds = fields.Function(
        lambda c: _seconds(c.left), metadata={"description": "Business time left; negative once breached."}
    )
    started_at = fields.DateTime()
    stopped_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(
        allow_none=True, metadata={"description": "null while paused before the due time."}
    )
    warn_at = fields.DateTime(allow_none=True)
    segments = fields.List(fields.Nested(SegmentOut))


class NamedOut(Schema):
    id = fields.Integer()
    name = fields.String()


class CalendarRefOut(NamedOut):
    timezone = fields.String()


class TicketSlaOut(Schema):
    ticket = fields.Integer(metadata={"description": "The ticket number."})
    evaluated_at = fields.DateTime()
    status = fields.String()
    due_at = fields.DateTime(
        allow_none=True, metadata={"description": "The earliest due time of a running clock."}
    )
    policy = fields.Nested(NamedOut)
    calendar = fields.Nested(CalendarRefOut)
    clocks = fields.List(fields.Nested(ClockOut))


class CalendarOut(CalendarRefOut):
    hours = fields.Dict(keys=fields.String(), values=fields.List(fields.List(fields.String())))
    holidays = fields.List(fields.String())
    workdays = fields.List(fields.String())
    country = fields.String(allow_none=True)
    updated_at = fields.DateTime()


_ACTION_LIST = {"type": "array", "items": {"type": "string", "enum": list(ACTIONS)}}


class PolicyOut(NamedOut):
    position = fields.Integer()
    active = fields.Boolean()
    is_default = fields.Boolean()
    priorities = fields.Function(lambda p: p.priorities.split())
    kinds = fields.Function(lambda p: p.kinds.split())
    tiers = fields.Function(lambda p: p.tiers.split())
    calendar = fields.Nested(CalendarRefOut)
    first_response_minutes = fields.Integer(allow_none=True)
    next_reply_minutes = fields.Integer(allow_none=True)
    resolution_minutes = fields.Integer(allow_none=True)
    warn_percent = fields.Integer(allow_none=True)
    warn_minutes = fields.Integer(allow_none=True)
    pause_on_hold = fields.Boolean()
    warning_actions = fields.Function(lambda p: p.actions("warning"), metadata=_ACTION_LIST)
    breach_actions = fields.Function(lambda p: p.actions("breach"), metadata=_ACTION_LIST)
    reassign_to = fields.Function(
        lambda p: {"id": p.reassign_to.id, "name": p.reassign_to.display_name} if p.reassign_to else None,
        allow_none=True,
        metadata={"description": "The engineer the reassign action hands tickets to, if one is named."},
    )
    reassign_team = fields.Nested(
        NamedOut,
        allow_none=True,
        metadata={
            "description": "The team the reassign action hands tickets to (its active member with the "
            "fewest open tickets), if one is named."
        },
    )
    updated_at = fields.DateTime()
