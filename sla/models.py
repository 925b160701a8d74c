"""Calendars, SLA policies, and the stored SLA clocks of tickets (a cache of `sla.timers.evaluate`)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import utcnow
from core.extensions import db
from core.models import Team, User
from support.models import Ticket

TARGETS = ("first_response", "next_reply", "resolution")
# What a warning or a breach may set off, in the order the sweep carries them out.
ACTIONS = ("raise_priority", "reassign", "notify_assignee", "notify_lead")
PHASES = ("running", "paused", "stopped", "completed")
OUTCOMES = ("met", "breached")


class Calendar(db.Model):
    """Working hours in one time zone, with closed dates and make-up working days (see sla.clock)."""

    __tablename__ = "sla_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    # {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ...}; a missing day is closed.
    hours: Mapped[dict] = mapped_column(sa.JSON)
    holidays: Mapped[list] = mapped_column(sa.JSON, default=list)  # ISO dates, closed
    workdays: Mapped[list] = mapped_column(sa.JSON, default=list)  # ISO dates, working on Monday's hours
    country: Mapped[str | None] = mapped_column(sa.String(10))  # a `holidays` package preset, e.g. CN
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Calendar {self.name}>"


class SlaPolicy(db.Model):
    """Targets for the tickets it matches; policies are tried by position, the default one last."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The fallback for tickets no other policy matches; its match fields are ignored.
    is_default: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Space-separated values; empty matches any.
    priorities: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    kinds: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    tiers: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey("sla_calendars.id"), index=True)
    # Business minutes; None means the policy sets no such target.
    first_response_minutes: Mapped[int | None]
    next_reply_minutes: Mapped[int | None]
    resolution_minutes: Mapped[int | None]
    # Warn when this share of a target is used, or this long before it is due (the earlier wins).
    warn_percent: Mapped[int | None]
    warn_minutes: Mapped[int | None]
    # On hold usually waits on a vendor or a release: still our problem, so it runs unless told otherwise.
    pause_on_hold: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    warning_actions: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    breach_actions: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reassign_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Instead of one engineer: the team's member with the fewest open tickets (sla.escalation).
    reassign_team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    calendar: Mapped[Calendar] = relationship()
    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    reassign_to: Mapped[User | None] = relationship(foreign_keys=[reassign_to_id])
    reassign_team: Mapped[Team | None] = relationship()

    def goal_minutes(self, target: str) -> int | None:
        return getattr(self, f"{target}_minutes")

    def actions(self, stage: str) -> list[str]:
        """The actions for "warning" or "breach", in the order they are carried out."""
        chosen = set((self.warning_actions if stage == "warning" else self.breach_actions).split())
        return [action for action in ACTIONS if action in chosen]

    def __repr__(self) -> str:
        return f"<SlaPolicy {self.name}>"


class SlaClock(db.Model):
    """One SLA target of one ticket (one row per next-reply cycle), as last evaluated.

    Everything but the markers can be recomputed from the ticket's history. `warned_at` and
    `breached_at` record that the sweep carried out that stage's actions: they are set once, by a
    conditional UPDATE, and never cleared, which is what makes every effect happen exactly once.
    """

    __tablename__ = "sla_clocks"
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "target", "cycle"),
        # Finds the running and paused clocks computed before the latest settings change.
        sa.Index("ix_sla_clocks_phase_settings", "phase", "settings_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(sa.String(20))
    cycle: Mapped[int] = mapped_column(default=0)  # next replies count 1, 2, ...; the others are 0
    policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sla_policies.id", ondelete="SET NULL"))
    phase: Mapped[str] = mapped_column(sa.String(10))
    outcome: Mapped[str | None] = mapped_column(sa.String(10))
    goal_minutes: Mapped[int]
    used_seconds: Mapped[int] = mapped_column(default=0)  # business time used, as of computed_at
    started_at: Mapped[datetime] = mapped_column(index=True)
    stopped_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    warn_at: Mapped[datetime | None]
    # The newest policy or calendar change this row was computed with; older means recompute.
    settings_at: Mapped[datetime]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    warned_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
    # When the sweep has to look at this row next (a warning or a breach to act on); indexed for it.
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)

    # One way only (no Ticket.sla_clocks): support's model stays unaware of sla, and the database
    # deletes a ticket's clocks with it.
    ticket: Mapped[Ticket] = relationship()
    policy: Mapped[SlaPolicy | None] = relationship()

    def __repr__(self) -> str:
        return f"<SlaClock #{self.ticket_id} {self.target}/{self.cycle} {self.phase}>"
