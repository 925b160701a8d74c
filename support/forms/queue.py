"""Forms of the engineer queue and the staff ticket page.

Choices that depend on the database (engineers, organisations, products) are filled in by the view.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from core.forms import LongSelectField
from support.labels import KIND_LABELS, PRIORITY_LABELS, STATUS_LABELS
from support.models import OPEN_STATUSES

DEFAULT_STATUSES = [str(s) for s in OPEN_STATUSES]
SORT_LABELS = {
    "sla_due": _l("SLA due, soonest first"),
    "priority": _l("Priority, urgent first"),
    "oldest": _l("Oldest first"),
    "updated": _l("Recently updated"),
    "created": _l("Newest first"),
}


def choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    """Select options from a label mapping, after a "" option labelled `blank` when given."""
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(value, label) for value, label in labels.items()]


class FilterForm(FlaskForm):
    """The queue's filters: a GET form, so a filtered queue is a link that can be bookmarked."""

    class Meta:
        csrf = False

    status = SelectMultipleField(
        _l("Status"), choices=choices({"all": _l("All statuses"), **STATUS_LABELS}), validators=[Optional()]
    )
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS, _l("Any kind")), validators=[Optional()])
    priority = SelectField(
        _l("Priority"), choices=choices(PRIORITY_LABELS, _l("Any priority")), validators=[Optional()]
    )
    assignee = LongSelectField(_l("Assignee"), choices=[], validators=[Optional()])
    organisation = LongSelectField(_l("Organisation"), choices=[], validators=[Optional()])
    product = LongSelectField(_l("Product"), choices=[], validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    sort = SelectField(_l("Sort"), choices=choices(SORT_LABELS), default="sla_due")

    def statuses(self) -> list[str]:
        """The statuses to show; an empty list means every status."""
        chosen = self.status.data or DEFAULT_STATUSES
        return [] if "all" in chosen else list(chosen)


class BulkForm(FlaskForm):
    """One change applied to the tickets ticked in the queue."""

    tickets = SelectMultipleField(_l("Tickets"), coerce=int, validate_choice=False)
    status = SelectField(
        _l("Set status"), choices=choices(STATUS_LABELS, _l("Keep status")), validators=[Optional()]
    )
    assignee = LongSelectField(_l("Set assignee"), choices=[], validators=[Optional()])
    apply = SubmitField(_l("Apply to selected"))


class ClaimForm(FlaskForm):
    # The assignee the engineer saw: a claim must not silently take a ticket a colleague just took.
    seen_assignee = StringField(widget=HiddenInput(), validators=[Optional()])
    # "queue" sends the engineer back to the filtered queue they claimed from (its query string).
    return_to = StringField(widget=HiddenInput(), validators=[Optional()])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[Optional(), Length(max=100_000)], render_kw={"rows": 8})
    attachments = MultipleFileField(_l("Attachments"))
    status = SelectField(
        _l("Then set status to"),
        choices=choices(STATUS_LABELS, _l("Leave the status as it is")),
        validators=[Optional()],
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    # "queue" when sent from the queue's reply-in-place form, which then shows the queue again.
    return_to = StringField(widget=HiddenInput(), validators=[Optional()])
    reply = SubmitField(_l("Send reply"))
    note = SubmitField(_l("Add internal note"))


class PropertiesForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS))
    priority = SelectField(_l("Priority"), choices=choices(PRIORITY_LABELS))
    assignee = LongSelectField(_l("Assignee"), choices=[], validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS))
    product = StringField(_l("Product"), validators=[Optional(), Length(max=100)])
    component = StringField(_l("Component"), validators=[Optional(), Length(max=100)])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    save = SubmitField(_l("Save changes"))


class MergeForm(FlaskForm):
    target = IntegerField(
        _l("Merge into ticket number"),
        validators=[
            InputRequired(_l("Enter the number of the ticket to merge into.")),
            NumberRange(min=1, max=2**31 - 1),
        ],
    )
    merge = SubmitField(_l("Merge"))
