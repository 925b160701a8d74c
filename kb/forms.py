"""Forms of the knowledge-base pages (Flask-WTF: CSRF on every one that writes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from kb.services import BODY_MAX, NOTE_MAX, SLUG_MAX, TITLE_MAX

LANGUAGE_LABELS = {"en": _l("English"), "zh": _l("Chinese")}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "archived": _l("Archived")}
VISIBILITY_LABELS = {
    "public": _l("Public: customers can read it"),
    "internal": _l("Internal: staff only"),
}
RELATION_CHOICES = {"solved_by": _l("Solved by"), "related": _l("Related")}


def choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(value, label) for value, label in labels.items()]


class SearchForm(FlaskForm):
    """The search above the article list: a GET form, so a search is a link."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=500)])
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_LABELS, _l("Any language")), default="")
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    product = SelectField(_l("Product"), choices=[], validate_choice=False)


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(), Length(max=BODY_MAX)], render_kw={"rows": 18}
    )
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_LABELS), default="en")
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS), default="draft")
    visibility = SelectField(_l("Who can read it"), choices=choices(VISIBILITY_LABELS), default="public")
    category = StringField(
        _l("Category"), validators=[Optional(), Length(max=100)], render_kw={"list": "kb-categories"}
    )
    product = StringField(
        _l("Product"), validators=[Optional(), Length(max=100)], render_kw={"list": "kb-products"}
    )
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=1000)])
    slug = StringField(_l("Address"), validators=[Optional(), Length(max=SLUG_MAX)])
    note = StringField(_l("What did you change?"), validators=[Optional(), Length(max=NOTE_MAX)])
    revision = HiddenField()
    translation_of = HiddenField()

    def content(self) -> dict:
        return {
            "title": self.title.data,
            "body": self.body.data,
            "language": self.language.data,
            "status": self.status.data,
            "visibility": self.visibility.data,
            "category": self.category.data or "",
            "product": self.product.data or "",
            "tags": self.tags.data or "",
            "slug": self.slug.data or None,
        }


class FeedbackForm(FlaskForm):
    helpful = SelectField(
        _l("Was this article helpful?"),
        choices=choices({"yes": _l("Yes"), "no": _l("No")}),
        validators=[InputRequired()],
    )
    comment = TextAreaField(
        _l("What was missing or wrong? (optional)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )


class SynonymForm(FlaskForm):
    terms = StringField(_l("Words that mean the same"), validators=[DataRequired(), Length(max=500)])


class LinkForm(FlaskForm):
    article_id = IntegerField(_l("Article"), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
    relation = SelectField(_l("Relation"), choices=choices(RELATION_CHOICES), default="solved_by")


class PostForm(FlaskForm):
    """A button that writes: only the CSRF token."""
