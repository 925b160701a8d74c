"""Writes on calendars and policies (the admin pages). Flushes, never commits.

Saving stamps `updated_at`: the sweep job notices that open tickets were computed with older settings
and recomputes them in batches (`flask sla recompute` does all of them at once).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

import holidays as holiday_presets
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.extensions import db
from core.i18n import valid_timezone
from core.models import Team, Tier, User
from sla.clock import WEEKDAYS, BusinessCalendar, CalendarError
from sla.models import ACTIONS, Calendar, SlaPolicy
from support.models import Kind, Priority

_TIME = re.compile(r"([01]?\d|2[0-4]):([0-5]\d)")
MAX_MINUTES = 366 * 24 * 60  # a year of business time: anything longer is a typo


class SlaError(ValueError):
    """Settings the SLA rules refuse; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# -- calendars -----------------------------------------------------------------------------------------


def save_calendar(calendar: Calendar | None, *, name: str, now: datetime | None = None, **fields) -> Calendar:
    """Create or update a calendar (the fields of `check_calendar`); names are unique."""
    name = " ".join((name or "").split())
    if not name:
        raise SlaError(_l("Give the calendar a name."), "name")
    clash = db.session.scalar(sa.select(Calendar).where(Calendar.name == name))
    if clash is not None and clash is not calendar:
        raise SlaError(_l("A calendar with this name already exists."), "name")
    values = check_calendar(**fields)
    calendar = calendar or Calendar()
    calendar.name = name
    for key, value in values.items():
        setattr(calendar, key, value)
    calendar.updated_at = now or utcnow()
    db.session.add(calendar)
    db.session.flush()
    return calendar


def check_calendar(
    *,
    timezone: str,
    hours: Mapping[str, Iterable[tuple[str, str]]],
    holidays: Iterable[date | str] = (),
    workdays: Iterable[date | str] = (),
    country: str | None = None,
) -> dict:
    """A calendar's fields, normalised; refuses one that could never let a target fall due."""
    timezone = (timezone or "").strip()
    if not valid_timezone(timezone):
        raise SlaError(_l("Choose a time zone such as Asia/Shanghai."), "timezone")
    week = {day: check_ranges(day, hours.get(day, ())) for day in WEEKDAYS}
    if not any(week.values()):
        raise SlaError(
            _l("Give at least one weekday working hours: on this calendar a target could never fall due."),
            "hours",
        )
    closed, extra = _dates(holidays, "holidays"), _dates(workdays, "workdays")
    if both := sorted(set(closed) & set(extra)):
        raise SlaError(
            _l("%(date)s is listed both as a holiday and as a working day.", date=both[0]), "workdays"
        )
    country = (country or "").strip().upper() or None
    if country and country not in holiday_presets.list_supported_countries(include_aliases=False):
        raise SlaError(_l("There are no public holidays known for this country."), "country")
    values = {
        "timezone": timezone,
        "hours": {day: [list(r) for r in ranges] for day, ranges in week.items() if ranges},
        "holidays": closed,
        "workdays": extra,
        "country": country,
    }
    try:
        to_business_calendar(values)
    except CalendarError as exc:  # the rules above should have caught it; say what the clock says
        raise SlaError(str(exc), "hours") from exc
    return values


def to_business_calendar(values: Mapping) -> BusinessCalendar:
    """The clock for `check_calendar`'s values (a preview before saving)."""
    return BusinessCalendar(
        values["timezone"], values["hours"], values["holidays"], values["workdays"], values["country"]
    )


def check_ranges(day: str, ranges: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """A weekday's ranges as sorted ("HH:MM", "HH:MM") pairs; SlaError naming the day when one is wrong."""
    parsed = []
    for start, end in ranges:
        a, b = _minute(day, start), _minute(day, end)
        if a >= 24 * 60:
            raise SlaError(_l("A range cannot start at 24:00."), day)
        if b <= a:
            raise SlaError(
                _l(
                    "%(start)s-%(end)s does not end after it starts. A night shift is two ranges: "
                    "until 24:00 on one day and from 00:00 on the next.",
                    start=start,
                    end=end,
                ),
                day,
            )
        parsed.append((a, b, start.strip(), end.strip()))
    parsed.sort()
    for before, after in zip(parsed, parsed[1:], strict=False):
        if after[0] < before[1]:
            raise SlaError(
                _l(
                    "%(first)s and %(second)s overlap.",
                    first=f"{before[2]}-{before[3]}",
                    second=f"{after[2]}-{after[3]}",
                ),
                day,
            )
    return [(f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}") for a, b, _s, _e in parsed]


def _minute(day: str, text: str) -> int:
    match = _TIME.fullmatch((text or "").strip())
    if match is None or (match[1] == "24" and match[2] != "00"):
        raise SlaError(_l("%(time)s is not a time of day; write it as 09:00.", time=text), day)
    return int(match[1]) * 60 + int(match[2])


def _dates(values: Iterable[date | str], field: str) -> list[str]:
    found = set()
    for value in values:
        try:
            found.add(value if isinstance(value, date) else date.fromisoformat(str(value).strip()))
        except ValueError:
            raise SlaError(
                _l("%(value)s is not a date; write it as 2026-10-01.", value=value), field
            ) from None
    return [d.isoformat() for d in sorted(found)]


def delete_calendar(calendar: Calendar) -> None:
    """Delete a calendar no policy uses."""
    used = db.session.scalar(sa.select(SlaPolicy.name).where(SlaPolicy.calendar_id == calendar.id).limit(1))
    if used is not None:
        raise SlaError(_l("The policy %(name)s uses this calendar; give it another one first.", name=used))
    db.session.delete(calendar)
    db.session.flush()


# -- policies ------------------------------------------------------------------------------------------


def save_policy(
    policy: SlaPolicy | None,
    *,
    name: str,
    calendar: Calendar | None,
    active: bool = True,
    priorities: Iterable[str] = (),
    kinds: Iterable[str] = (),
    tiers: Iterable[str] = (),
    first_response_minutes: int | None = None,
    next_reply_minutes: int | None = None,
    resolution_minutes: int | None = None,
    warn_percent: int | None = None,
    warn_minutes: int | None = None,
    pause_on_hold: bool = False,
    warning_actions: Iterable[str] = (),
    breach_actions: Iterable[str] = (),
    lead: User | None = None,
    reassign_to: User | None = None,
    reassign_team: Team | None = None,
    now: datetime | None = None,
) -> SlaPolicy:
    """Create or update a policy. The default policy matches everything else and stays active.

    "reassign" gives the ticket to `reassign_to`, or to the least-loaded member of `reassign_team`.
    """
    name = " ".join((name or "").split())
    if not name:
        raise SlaError(_l("Give the policy a name."), "name")
    clash = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == name))
    if clash is not None and clash is not policy:
        raise SlaError(_l("A policy with this name already exists."), "name")
    if calendar is None:
        raise SlaError(_l("Choose the calendar the targets are counted in."), "calendar")
    is_default = policy is not None and policy.is_default
    matches = {
        "priorities": _choice(priorities, Priority.__members__, "priorities"),
        "kinds": _choice(kinds, Kind.__members__, "kinds"),
        "tiers": _choice(tiers, Tier.__members__, "tiers"),
    }
    targets = {
        "first_response_minutes": first_response_minutes,
        "next_reply_minutes": next_reply_minutes,
        "resolution_minutes": resolution_minutes,
        "warn_minutes": warn_minutes,
    }
    for field, minutes in targets.items():
        if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
            raise SlaError(_l("Give between 1 minute and 366 days of business time."), field)
    if warn_percent is not None and not 1 <= warn_percent <= 99:
        raise SlaError(_l("Give a share between 1 and 99 percent."), "warn_percent")
    actions = {
        "warning_actions": _choice(warning_actions, ACTIONS, "warning_actions"),
        "breach_actions": _choice(breach_actions, ACTIONS, "breach_actions"),
    }
    for chosen in actions.values():
        if "notify_lead" in chosen.split() and lead is None:
            raise SlaError(_l("Choose the lead to notify."), "lead")
        if "reassign" in chosen.split() and reassign_to is None and reassign_team is None:
            raise SlaError(_l("Choose the engineer or the team to reassign to."), "reassign_to")
    if reassign_to is not None and reassign_team is not None:
        raise SlaError(_l("Choose an engineer or a team to reassign to, not both."), "reassign_team")
    for field, person in (("lead", lead), ("reassign_to", reassign_to)):
        if person is not None and not (person.is_staff and person.active):
            raise SlaError(_l("Choose an active engineer."), field)
    if policy is None:
        policy = SlaPolicy(position=_next_position())
        db.session.add(policy)
    policy.name, policy.calendar = name, calendar
    policy.active = True if is_default else bool(active)
    for field, value in {**(_any_match() if is_default else matches), **targets, **actions}.items():
        setattr(policy, field, value)
    policy.warn_percent, policy.pause_on_hold = warn_percent, bool(pause_on_hold)
    policy.lead, policy.reassign_to, policy.reassign_team = lead, reassign_to, reassign_team
    policy.updated_at = now or utcnow()
    db.session.flush()
    return policy


def _choice(values: Iterable[str], allowed: Iterable[str], field: str) -> str:
    chosen = list(dict.fromkeys(v for v in values if v))
    if unknown := [v for v in chosen if v not in allowed]:
        raise SlaError(_l("Unknown value %(value)s.", value=unknown[0]), field)
    return " ".join(chosen)


def _any_match() -> dict[str, str]:
    return {"priorities": "", "kinds": "", "tiers": ""}


def _next_position() -> int:
    return (db.session.scalar(sa.select(sa.func.max(SlaPolicy.position))) or 0) + 1


def move_policy(policy: SlaPolicy, offset: int, *, now: datetime | None = None) -> None:
    """Move a policy up (-1) or down (+1) the list; the default policy stays last."""
    if policy.is_default:
        return
    others = db.session.scalars(
        sa.select(SlaPolicy).where(SlaPolicy.is_default.is_(False)).order_by(SlaPolicy.position, SlaPolicy.id)
    ).all()
    index = others.index(policy)
    swap = index + offset
    if not 0 <= swap < len(others):
        return
    others[index], others[swap] = others[swap], others[index]
    for position, each in enumerate(others):
        each.position = position
    policy.updated_at = now or utcnow()  # the order decides which tickets it applies to
    db.session.flush()
