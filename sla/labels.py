"""Translated names of SLA targets, phases and escalation actions, for pages, forms and mail."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.forms import TIER_LABELS
from core.i18n import exact_time

TARGET_LABELS = {
    "first_response": _l("First response"),
    "next_reply": _l("Next reply"),
    "resolution": _l("Resolution"),
}
PHASE_LABELS = {
    "running": _l("Running"),
    "paused": _l("Paused"),
    "stopped": _l("Stopped (ticket resolved)"),
    "completed": _l("Done"),
}
OUTCOME_LABELS = {"met": _l("Met"), "breached": _l("Breached")}
ACTION_LABELS = {
    "notify_assignee": _l("Notify the assignee"),
    "notify_lead": _l("Notify the lead"),
    "raise_priority": _l("Raise the priority one step"),
    "reassign": _l("Reassign to the chosen engineer or team"),
}
STAGE_LABELS = {"warning": _l("Warning"), "breach": _l("Breach")}
WEEKDAY_LABELS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}


def business_time(value: timedelta | None) -> str:
    """A business-time amount as hours and minutes ("3h 05m", "45m"); the sign is left to the caller."""
    if value is None:
        return ""
    minutes = int(abs(value).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)dh %(minutes)02dm", hours=hours, minutes=minutes)
    return _("%(minutes)dm", minutes=minutes)


def country_name(code: str | None) -> str:
    """A country's name in the viewer's language (Babel's territory names), else its code."""
    return get_locale().territories.get(code, code) if code else ""


def weekday_of(day: date) -> str:
    return str(list(WEEKDAY_LABELS.values())[day.weekday()])


def template_globals() -> dict:
    return {
        "SLA_TARGET_LABELS": TARGET_LABELS,
        "SLA_PHASE_LABELS": PHASE_LABELS,
        "SLA_OUTCOME_LABELS": OUTCOME_LABELS,
        "SLA_ACTION_LABELS": ACTION_LABELS,
        "SLA_STAGE_LABELS": STAGE_LABELS,
        "SLA_WEEKDAY_LABELS": WEEKDAY_LABELS,
        "business_time": business_time,
        "weekday_of": weekday_of,
        "country_name": country_name,
        "SLA_TIER_LABELS": TIER_LABELS,
        "business_minutes": lambda minutes: business_time(timedelta(minutes=minutes)),
    }


# -- the queue's badge -------------------------------------------------------------------------------

BADGE_ICONS = {"overdue": "⚠", "warning": "◔", "running": "▶", "paused": "‖", "met": "✓", "breached": "✗"}
BADGE_TEXTS = {
    "overdue": _l("Overdue %(time)s"),
    "warning": _l("%(time)s left"),
    "running": _l("%(time)s left"),
    "paused": _l("Paused, %(time)s left"),
    "met": _l("Met"),
    "breached": _l("Breached"),
}
DUE_TITLE = _l("%(target)s due %(time)s")
NO_TARGET_TITLE = _l("No SLA target applies")


@dataclass(frozen=True, slots=True)
class BadgeText:
    """What the queue shows of a ticket's most pressing SLA target: an icon and words (it reads
    without colour), a hover title with the exact due time, and the target's name."""

    kind: str  # overdue, warning, running, paused, met, breached; "none" when no target applies
    icon: str
    text: str
    title: str
    target: str


class BadgeWords:
    """Badge texts in the viewer's language. Made once per page: each phrase is translated once,
    not once per row, and the rows only fill in their times."""

    def __init__(self) -> None:
        self._texts = {kind: str(text) for kind, text in BADGE_TEXTS.items()}
        self._targets = {target: str(label) for target, label in TARGET_LABELS.items()}
        self._due = str(DUE_TITLE)
        self.none = BadgeText("none", "", "—", str(NO_TARGET_TITLE), "")

    def __call__(self, badge) -> BadgeText:
        """The text of a `sla.queries.Badge`, or of no badge (None)."""
        if badge is None:
            return self.none
        target = self._targets.get(badge.target, badge.target)
        text = self._texts.get(badge.kind, self._texts["breached"])
        if "%(time)s" in text:
            text = text % {"time": business_time(badge.left)}
        title = target
        if badge.due_at is not None:
            title = self._due % {"target": target, "time": exact_time(badge.due_at)}
        return BadgeText(badge.kind, BADGE_ICONS.get(badge.kind, "✗"), text, title, target)
