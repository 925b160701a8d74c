"""Forms of the SLA admin pages and the compliance report. Choices from the database are set by the views."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import MonthField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import TIER_LABELS
from sla.clock import WEEKDAYS
from sla.labels import ACTION_LABELS, TARGET_LABELS, WEEKDAY_LABELS
from sla.models import ACTIONS
from support.labels import KIND_LABELS, PRIORITY_LABELS

BY_LABELS = {
    "month": _l("Month"),
    "policy": _l("Policy"),
    "priority": _l("Priority"),
    "organisation": _l("Organisation"),
}
_RANGE = re.compile(r"^(\d{1,2}:\d{2})\s*[-–~]\s*(\d{1,2}:\d{2})$")
_DURATION = re.compile(r"^(?:(\d{1,6})\s*(?:h|小时))?\s*(?:(\d{1,6})\s*(?:m|min|分钟|分))?$")


def choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(value, label) for value, label in labels.items()]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"class": "checkboxes"})
        super().__init__(*args, **kwargs)


def parse_ranges(text: str) -> list[tuple[str, str]]:
    """ "09:00-12:00, 13:00-18:00" as [("09:00", "12:00"), ("13:00", "18:00")]; ValueError on bad syntax."""
    ranges = []
    for part in re.split(r"[,;，；]", text or ""):
        if part.strip():
            match = _RANGE.match(part.strip())
            if match is None:
                raise ValueError(part.strip())
            ranges.append((match[1], match[2]))
    return ranges


def format_ranges(ranges) -> str:
    return ", ".join(f"{start}-{end}" for start, end in ranges or ())


def parse_duration(text: str | None) -> int | None:
    """Minutes in "4h", "1h 30m", "90m" or "90"; None when blank; ValueError when unreadable."""
    text = (text or "").strip().lower()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    match = _DURATION.match(text)
    if match is None or not (match[1] or match[2]):
        raise ValueError(text)
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def format_duration(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours}h" if hours else "", f"{rest}m" if rest else "") if part)


def parse_dates(text: str | None) -> list[str]:
    """One date per line; anything after the date on its line is a note and ignored."""
    return [line.split()[0] for line in (text or "").splitlines() if line.split()]


class CalendarForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    mon = StringField(WEEKDAY_LABELS["mon"])
    tue = StringField(WEEKDAY_LABELS["tue"])
    wed = StringField(WEEKDAY_LABELS["wed"])
    thu = StringField(WEEKDAY_LABELS["thu"])
    fri = StringField(WEEKDAY_LABELS["fri"])
    sat = StringField(WEEKDAY_LABELS["sat"])
    sun = StringField(WEEKDAY_LABELS["sun"])
    country = SelectField(_l("Public holidays of"), validators=[Optional()])
    holidays = TextAreaField(_l("Closed dates"), render_kw={"rows": 4})
    workdays = TextAreaField(_l("Extra working days"), render_kw={"rows": 3})
    save = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(z, z) for z in sorted(zoneinfo.available_timezones())]

    def day_fields(self):
        return [self[day] for day in WEEKDAYS]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for day in WEEKDAYS:
            try:
                parse_ranges(self[day].data)
            except ValueError as exc:
                self[day].errors.append(
                    _l("%(text)s is not a range; write ranges as 09:00-12:00, 13:00-18:00.", text=str(exc))
                )
                ok = False
        return ok

    def hours(self) -> dict[str, list[tuple[str, str]]]:
        return {day: parse_ranges(self[day].data) for day in WEEKDAYS}


class DurationField(StringField):
    """Business time as "4h", "1h 30m" or "90m"; blank for none. `.minutes` holds the parsed value."""

    minutes: int | None = None

    def pre_validate(self, form):
        try:
            self.minutes = parse_duration(self.data)
        except ValueError:
            self.minutes = None
            raise ValidationError(_l("Write a duration such as 4h, 1h 30m or 90m.")) from None


class PolicyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    active = BooleanField(_l("Active"), default=True)
    priorities = CheckboxesField(_l("Priorities"), choices=choices(PRIORITY_LABELS), validators=[Optional()])
    kinds = CheckboxesField(_l("Kinds"), choices=choices(KIND_LABELS), validators=[Optional()])
    tiers = CheckboxesField(_l("Customer tiers"), choices=choices(TIER_LABELS), validators=[Optional()])
    calendar = SelectField(_l("Calendar"), validators=[DataRequired()])
    first_response = DurationField(TARGET_LABELS["first_response"])
    next_reply = DurationField(TARGET_LABELS["next_reply"])
    resolution = DurationField(TARGET_LABELS["resolution"])
    warn_percent = IntegerField(
        _l("Warn when this share is used (%)"), validators=[Optional(), NumberRange(1, 99)]
    )
    warn_before = DurationField(_l("Warn this long before due"))
    pause_on_hold = BooleanField(_l("Pause the resolution clock while on hold"))
    warning_actions = CheckboxesField(
        _l("On warning"), choices=choices({a: ACTION_LABELS[a] for a in ACTIONS}), validators=[Optional()]
    )
    breach_actions = CheckboxesField(
        _l("On breach"), choices=choices({a: ACTION_LABELS[a] for a in ACTIONS}), validators=[Optional()]
    )
    lead = SelectField(_l("Lead to notify"), validators=[Optional()])
    reassign_to = SelectField(_l("Reassign to"), validators=[Optional()])
    reassign_team = SelectField(_l("Or reassign to a team"), validators=[Optional()])
    save = SubmitField(_l("Save"))


class MoveForm(FlaskForm):
    """Up or down the list of policies (the buttons carry the direction)."""

    up = SubmitField(_l("Move up"))
    down = SubmitField(_l("Move down"))


class DeleteForm(FlaskForm):
    delete = SubmitField(_l("Delete"))


class ReportForm(FlaskForm):
    """The compliance report's filters: a GET form, so a report is a link."""

    class Meta:
        csrf = False

    start = MonthField(_l("From"), validators=[Optional()])
    end = MonthField(_l("To"), validators=[Optional()])
    target = SelectField(
        _l("Target"), choices=choices(TARGET_LABELS, _l("All targets")), validators=[Optional()]
    )
    by = SelectField(_l("Group by"), choices=choices(BY_LABELS), default="month")

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end comes before the start."))


def month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)
