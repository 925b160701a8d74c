"""Forms of the improvement loop's pages (Flask-WTF: CSRF on every one that writes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.forms import choices, optional_int
from reviews.glossary import KIND_LABELS
from reviews.surveys import COMMENT_MAX

SCORE_LABELS = {
    "5": _l("5 · Very satisfied"),
    "4": _l("4 · Satisfied"),
    "3": _l("3 · Neutral"),
    "2": _l("2 · Dissatisfied"),
    "1": _l("1 · Very dissatisfied"),
}
PROBLEM_STATUS_LABELS = {
    "investigating": _l("Investigating"),
    "known_error": _l("Known error (workaround known)"),
    "fixed": _l("Fixed"),
}
ACTION_STATUS_LABELS = {
    "open": _l("Open"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
}
MAX_ID = 2**31 - 1


class SurveyForm(FlaskForm):
    score = RadioField(
        _l("How satisfied are you with the help you got?"),
        choices=choices(SCORE_LABELS.items()),
        validators=[DataRequired(_l("Choose a score from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Anything you want to tell us? (optional)"), validators=[Optional(), Length(max=COMMENT_MAX)]
    )


class ClusterForm(FlaskForm):
    """Confirming or dismissing a cluster carries the cluster as the page showed it."""

    key = HiddenField()
    label = HiddenField()
    numbers = HiddenField()  # comma-separated ticket numbers
    signature = HiddenField()  # the cluster's signature as JSON
    title = StringField(_l("Problem title"), validators=[Optional(), Length(max=200)])
    reason = StringField(_l("Why it is not a problem (optional)"), validators=[Optional(), Length(max=500)])


class ProblemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    status = SelectField(_l("Status"), choices=choices(PROBLEM_STATUS_LABELS.items()))
    root_cause = TextAreaField(_l("Root cause"), validators=[Optional(), Length(max=20_000)])
    workaround = TextAreaField(_l("Workaround"), validators=[Optional(), Length(max=20_000)])
    article_id = IntegerField(
        _l("Knowledge-base article (number)"), validators=[Optional(), NumberRange(min=1, max=MAX_ID)]
    )
    fixed_on = DateField(_l("Fixed on"), validators=[Optional()])


class LinkTicketForm(FlaskForm):
    number = IntegerField(_l("Ticket number"), validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])


class NewReviewForm(FlaskForm):
    start = DateField(_l("From"), validators=[DataRequired()])
    end = DateField(_l("Until (not included)"), validators=[DataRequired()])


class NotesForm(FlaskForm):
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=50_000)])


class ActionForm(FlaskForm):
    title = StringField(_l("What is to be done"), validators=[DataRequired(), Length(max=300)])
    owner = SelectField(_l("Owner"), coerce=optional_int, validate_choice=True)
    due_on = DateField(_l("Due"), validators=[Optional()])
    problem = SelectField(_l("Problem"), coerce=optional_int, validate_choice=True)
    article_id = IntegerField(_l("Article (number)"), validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class ActionUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(ACTION_STATUS_LABELS.items()))
    owner = SelectField(_l("Owner"), coerce=optional_int, validate_choice=True)
    due_on = DateField(_l("Due"), validators=[Optional()])
    save = SubmitField(_l("Update"))


class ConceptForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    label_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=100)])
    label_zh = StringField(_l("Name in Chinese"), validators=[DataRequired(), Length(max=100)])
    terms_en = TextAreaField(_l("English terms (one per line)"), validators=[Optional(), Length(max=20_000)])
    terms_zh = TextAreaField(_l("Chinese terms (one per line)"), validators=[Optional(), Length(max=20_000)])
