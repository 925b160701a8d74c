"""Forms of the kernel's pages (Flask-WTF: CSRF on every one that writes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    HiddenField,
    PasswordField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, Select

from core.i18n import LANGUAGE_NAMES
from core.services import PASSWORD_MIN

ROLE_LABELS = {"customer": _l("Customer"), "engineer": _l("Engineer"), "admin": _l("Administrator")}
TIER_LABELS = {"basic": _l("Basic"), "standard": _l("Standard"), "premium": _l("Premium")}

_email = [DataRequired(), Email(check_deliverability=False), Length(max=254)]
_new_password = [
    DataRequired(),
    Length(min=PASSWORD_MIN, max=200, message=_l("Use at least %(min)d characters.")),
]

_NEW_PASSWORD_KW = {"autocomplete": "new-password", "minlength": PASSWORD_MIN}


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the option objects WTForms 3.3 expects."""
    return [SelectChoice(value, label) for value, label in pairs]


class LongSelect(Select):
    """WTForms' select widget, with the same HTML made for a plain option in one format string.

    The queue's menus list every organisation and engineer: hundreds of options on each page, where
    WTForms' general attribute builder cost more than the query for the tickets. Options with extra
    attributes go the general way."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""  # attributes sorted by name, as WTForms does
        return f'<option {selected}value="{escape(value)}">{escape(choice.label or choice.value)}</option>'


class LongSelectField(SelectField):
    """A select whose menu may list hundreds of entries (organisations, people, products)."""

    widget = LongSelect()


def optional_int(value) -> int | None:
    """Select values come back as strings; "" means "none"."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    # -1 matches no choice (the field says "Not a valid choice") and no row, and fits every database.
    return number if 0 < number <= 2**31 - 1 else -1


def add_error(form: Form, error: Exception) -> None:
    """Show a service's error next to the field it names, or above the form when it names none."""
    field = getattr(form, getattr(error, "field", None) or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(check_deliverability=False)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    """The "Forgot password?" form: the address to mail a reset link to."""

    email = EmailField(_l("Email"), validators=_email, render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=_new_password, render_kw=_NEW_PASSWORD_KW)
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES.items()))
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])


class RegisterForm(FlaskForm):
    """Joining with a company address: the organisation is found from the address's domain."""

    email = EmailField(_l("Work email"), validators=_email, render_kw={"autocomplete": "email"})
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=_new_password, render_kw=_NEW_PASSWORD_KW)


class AcceptInvitationForm(FlaskForm):
    """Joining by invitation: the address is the invited one and cannot be changed."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=_new_password, render_kw=_NEW_PASSWORD_KW)


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=_email)
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()))
    organisation = SelectField(_l("Organisation"), coerce=optional_int, validate_choice=True)
    active = BooleanField(_l("Active (may sign in)"), default=True)
    password = PasswordField(
        _l("New password"),
        render_kw={"autocomplete": "new-password"},
        validators=[
            Optional(),
            Length(min=PASSWORD_MIN, max=200, message=_l("Use at least %(min)d characters.")),
        ],
    )


class UserFilterForm(Form):
    """The search above the user list; a GET form, so no CSRF token."""

    q = SearchField(_l("Email or name"), validators=[Optional(), Length(max=200)])
    # Filters never refuse: an unknown value simply filters nothing out.
    role = SelectField(
        _l("Role"), choices=choices([("", _l("All roles")), *ROLE_LABELS.items()]), validate_choice=False
    )
    org = SelectField(_l("Organisation"), coerce=optional_int, validate_choice=False)


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    tier = SelectField(_l("Support tier"), choices=choices(TIER_LABELS.items()), default="standard")
    email_domains = StringField(_l("Email domains"), validators=[Optional(), Length(max=500)])


class InvitationForm(FlaskForm):
    email = EmailField(_l("Email"), validators=_email)
    organisation = SelectField(
        _l("Organisation"), coerce=optional_int, validators=[DataRequired(_l("Choose an organisation."))]
    )


class TeamForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 3}
    )
    # Ticked boxes rather than a <select multiple>: usable without holding Ctrl, and on a phone.
    members = SelectMultipleField(
        _l("Members"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        render_kw={"class": "checkboxes"},
    )
