"""Forms of the customer portal: filing a ticket, replying, closing or reopening."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from support.attachments import AttachmentRejected, Upload, check_upload
from support.labels import KIND_LABELS, PRIORITY_LABELS
from support.models import DETAIL_FIELDS, Kind, Priority
from support.services import BODY_MAX, SUBJECT_MAX

# Browsers cannot put a chosen file back into a file input, so every message about files says so.
ATTACH_AGAIN = _l("Everything else you typed is kept; attach your files again before sending.")


class RequiredForKind:
    """Required only when the form's kind is one of `kinds` (the field's block is shown for them)."""

    field_flags = {"required": True}

    def __init__(self, *kinds: str, message=None):
        self.kinds = kinds
        self.message = message

    def __call__(self, form, field):
        if form.kind.data in self.kinds and not (field.data or "").strip():
            raise ValidationError(self.message or _l("This field is required."))


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def uploads_of(field) -> list[Upload]:
    """The files of a file field as the services take them; an unused file input sends none."""
    return [
        Upload(filename=f.filename, data=f.read(), content_type=f.mimetype or "")
        for f in field.data or []
        if f and f.filename
    ]


class AttachmentsMixin:
    """A multiple-file field checked against the upload limits; `uploads` holds the files afterwards."""

    attachments = MultipleFileField(_l("Attachments"))
    uploads: Sequence[Upload] = ()

    def validate_attachments(self, field):
        self.uploads = uploads_of(field)
        problems = []
        for upload in self.uploads:
            try:
                check_upload(upload)
            except AttachmentRejected as exc:
                problems.append(str(exc))
        if problems:
            raise ValidationError(" ".join([*problems, str(ATTACH_AGAIN)]))


class NewTicketForm(AttachmentsMixin, FlaskForm):
    kind = SelectField(
        _l("What is it about?"),
        choices=_choices(KIND_LABELS),
        default=Kind.incident,
        render_kw={"data-kind-select": ""},
    )
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=SUBJECT_MAX)])
    body = TextAreaField(
        _l("Description"),
        validators=[DataRequired(), Length(max=BODY_MAX)],
        render_kw={"rows": 6},
    )
    priority = SelectField(_l("Priority"), choices=_choices(PRIORITY_LABELS), default=Priority.normal)
    product = StringField(_l("Product"), validators=[Length(max=100)])
    component = StringField(_l("Component"), validators=[Length(max=100)])
    impact = TextAreaField(_l("Impact"), validators=[Length(max=5000)], render_kw={"rows": 2})
    environment = TextAreaField(_l("Environment"), validators=[Length(max=5000)], render_kw={"rows": 2})
    steps = TextAreaField(_l("Steps to reproduce"), validators=[Length(max=5000)], render_kw={"rows": 4})
    current_version = StringField(
        _l("Current version"),
        validators=[
            RequiredForKind(Kind.upgrade, message=_l("Say which version you run now.")),
            Length(max=100),
        ],
    )
    target_version = StringField(
        _l("Target version"),
        validators=[
            RequiredForKind(Kind.upgrade, message=_l("Say which version you want to upgrade to.")),
            Length(max=100),
        ],
    )
    preferred_window = StringField(_l("Preferred maintenance window"), validators=[Length(max=200)])

    def details(self) -> dict[str, str]:
        """The kind-specific answers of the chosen kind; fields of other kinds are left out."""
        fields = DETAIL_FIELDS.get(self.kind.data, ())
        return {name: getattr(self, name).data for name in fields if (getattr(self, name).data or "").strip()}


class ReplyForm(AttachmentsMixin, FlaskForm):
    # Optional on its own: a reply may be only a file; the service refuses one with neither.
    body = TextAreaField(_l("Your reply"), validators=[Length(max=BODY_MAX)], render_kw={"rows": 5})


class StatusForm(FlaskForm):
    """The "My problem is solved" and "Reopen" buttons: each submits one of these values."""

    status = SelectField(
        choices=[SelectChoice("closed", _l("My problem is solved")), SelectChoice("open", _l("Reopen"))]
    )
