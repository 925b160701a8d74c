"""Which policy applies to a ticket, what its targets and warnings are, and the defaults Aftercare starts with.

Pure: these functions read attributes of policy objects (`SlaPolicy` rows or `Terms`) and never query.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Protocol, TypeVar

from sla.clock import WEEKDAYS

P = TypeVar("P", bound="Matchable")


class Matchable(Protocol):
    active: bool
    is_default: bool
    priorities: str
    kinds: str
    tiers: str


@dataclass(frozen=True)
class Terms:
    """The parts of a policy `sla.timers.evaluate` reads; an `SlaPolicy` row has the same attributes."""

    first_response_minutes: int | None = None
    next_reply_minutes: int | None = None
    resolution_minutes: int | None = None
    warn_percent: int | None = None
    warn_minutes: int | None = None
    pause_on_hold: bool = False


def goal(policy, target: str) -> timedelta | None:
    """The business time a target allows under `policy`, or None when the policy sets no such target."""
    minutes = getattr(policy, f"{target}_minutes")
    return timedelta(minutes=minutes) if minutes else None


def warn_after(policy, allowed: timedelta) -> timedelta | None:
    """How much of `allowed` may be used before the warning: the earlier of the two thresholds.

    A "minutes before due" threshold at least as long as the target itself would warn the moment a
    clock starts, which tells nobody anything, so it gives no warning for that target.
    """
    options = []
    if policy.warn_percent:
        options.append(allowed * policy.warn_percent / 100)
    if policy.warn_minutes and timedelta(minutes=policy.warn_minutes) < allowed:
        options.append(allowed - timedelta(minutes=policy.warn_minutes))
    return min(options) if options else None


def matches(policy: Matchable, *, priority: str, kind: str, tier: str | None) -> bool:
    """Whether every condition the policy sets holds for the ticket (an empty condition holds)."""
    for wanted, value in ((policy.priorities, priority), (policy.kinds, kind), (policy.tiers, tier)):
        if wanted.split() and value not in wanted.split():
            return False
    return True


def pick(policies: Iterable[P], *, priority: str, kind: str, tier: str | None) -> P | None:
    """The first active policy (by the order given) that matches, else the default policy."""
    fallback = None
    for policy in policies:
        if policy.is_default:
            fallback = fallback or policy
        elif policy.active and matches(policy, priority=priority, kind=kind, tier=tier):
            return policy
    return fallback


def ordered(policies: Sequence[P]) -> list[P]:
    """Policies in the order they are tried: by position, the default one last."""
    return sorted(policies, key=lambda p: (p.is_default, p.position, p.id or 0))


# -- what a new desk starts with ---------------------------------------------------------------------

OFFICE_HOURS = {day: [["09:00", "12:00"], ["13:00", "18:00"]] for day in WEEKDAYS[:5]}
AROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in WEEKDAYS}

# name -> (calendar, matches, first response, next reply, resolution) in business minutes. Created on
# first use when no policy exists (`sla.services.ensure_defaults`); admins edit them like any other.
DEFAULT_POLICIES = [
    ("Urgent incidents", "24x7", {"priorities": "urgent"}, 30, 60, 8 * 60),
    ("High priority", "office", {"priorities": "high"}, 60, 4 * 60, 16 * 60),
    ("Premium customers", "office", {"tiers": "premium"}, 2 * 60, 4 * 60, 24 * 60),
    ("Standard", "office", {}, 4 * 60, 8 * 60, 40 * 60),  # the default: everything else
]
DEFAULT_WARN_PERCENT = 80
DEFAULT_WARNING_ACTIONS = "notify_assignee"
DEFAULT_BREACH_ACTIONS = "notify_assignee notify_lead"


@cache
def country_of_timezone(timezone: str) -> str | None:
    """The country an IANA zone belongs to (tzdata's zone.tab), to preset a calendar's public holidays."""
    try:
        table = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    for line in table.splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and len(fields) >= 3 and fields[2] == timezone:
            return fields[0]
    return None
