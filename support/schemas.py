"""The ticket API's schemas: what comes in (`...In`, `...Args`, `...Header`) and what goes out (`...Out`).

Input schemas refuse unknown fields (marshmallow's RAISE), so a misspelt field is a 422 naming it
rather than a change that silently did not happen.
"""

from __future__ import annotations

import re

from flask import g, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from support.models import Kind, Priority, Status
from support.services import BODY_MAX, SUBJECT_MAX

STATUSES = [s.value for s in Status]
KINDS = [k.value for k in Kind]
PRIORITIES = [p.value for p in Priority]
SORTS = ["priority", "created", "updated", "oldest", "sla_due"]
LIST_LIMIT_MAX = 200
# Ids are 32-bit integers in PostgreSQL: a larger number is answered as "no such thing", not a 500.
MAX_ID = 2**31 - 1


# -- out -------------------------------------------------------------------------------------------


class UserOut(Schema):
    id = fields.Integer()
    email = fields.Method(
        "_email_for_reader",
        allow_none=True,
        metadata={
            "type": "string",
            "nullable": True,
            "description": "null when a customer reads about staff: the portal shows staff by name only.",
        },
    )
    name = fields.String()

    def _email_for_reader(self, user) -> str | None:
        reader = g.get("api_user")
        if reader is not None and not reader.is_staff and user.is_staff:
            return None
        return user.email


class OrganisationOut(Schema):
    id = fields.Integer()
    name = fields.String()
    tier = fields.String()


class TicketOut(Schema):
    number = fields.Integer()
    subject = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    kind = fields.String(metadata={"enum": KINDS})
    priority = fields.String(metadata={"enum": PRIORITIES})
    channel = fields.String()
    product = fields.String()
    component = fields.String()
    details = fields.Dict(keys=fields.String(), values=fields.String())
    requester = fields.Nested(UserOut)
    organisation = fields.Nested(OrganisationOut, allow_none=True)
    assignee = fields.Nested(UserOut, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    first_response_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    sla_due_at = fields.DateTime(
        attribute="sla_due",
        allow_none=True,
        metadata={"description": "When the next SLA target falls due; null when no SLA clock is running."},
    )
    merged_into = fields.Integer(
        attribute="merged_into_id",
        allow_none=True,
        metadata={"description": "The number of the ticket this one was merged into."},
    )
    version = fields.Integer(
        metadata={"description": "Changes with every write; send it back to PATCH (or as If-Match)."}
    )


class TicketPageOut(Schema):
    tickets = fields.List(fields.Nested(TicketOut))
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Pass as `cursor` for the next page; null on the last."}
    )
    prev_cursor = fields.String(
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the previous page; null on the first."},
    )


class AttachmentOut(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "Bytes."})
    url = fields.Function(
        lambda attachment: url_for(
            "tickets.attachment",
            attachment_id=attachment.id,
            filename=attachment.filename,
            _external=True,
        ),
        metadata={"description": "Download with the same bearer token."},
    )


class MessageOut(Schema):
    id = fields.Integer()
    body = fields.String()
    internal = fields.Boolean()
    author = fields.Nested(UserOut, allow_none=True, metadata={"description": "null for system messages."})
    channel = fields.String()
    created_at = fields.DateTime()
    attachments = fields.List(fields.Nested(AttachmentOut))


class EventOut(Schema):
    id = fields.Integer()
    kind = fields.String(
        metadata={"description": "created, replied, noted, status_changed, field_changed, assigned, ..."}
    )
    data = fields.Dict()
    actor = fields.Nested(UserOut, allow_none=True)
    at = fields.DateTime()


# -- in --------------------------------------------------------------------------------------------


def _storable(text: str) -> bool:
    # PostgreSQL refuses NUL in text, and an unpaired surrogate (valid JSON) cannot be encoded at all.
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Text(fields.String):
    """A string that every database can store."""

    default_error_messages = {"unstorable": "Text may not contain NUL characters or invalid Unicode."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _storable(text):
            raise self.make_error("unstorable")
        return text


class UserRef(fields.Field):
    """A user named by id (an integer) or by email address (a string)."""

    default_error_messages = {"invalid": "Give a user id (an integer) or an email address."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
            return value
        if isinstance(value, str) and _storable(value):
            return validate.Email(error=self.error_messages["invalid"])(value.strip())
        raise self.make_error("invalid")


class CommaList(fields.List):
    """A query parameter given several times (`?status=a&status=b`) or comma-separated (`?status=a,b`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list | tuple):
            raise self.make_error("invalid")
        parts = [part.strip() for item in values if isinstance(item, str) for part in item.split(",")]
        return super()._deserialize([p for p in parts if p], attr, data, **kwargs)


class EntityVersion(fields.Field):
    """An If-Match header carrying a ticket version: `3`, `"3"` or `W/"3"`; `*` matches any version."""

    default_error_messages = {"invalid": 'Give the ticket version, e.g. If-Match: "3".'}

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        if text == "*":
            return None
        text = text.removeprefix("W/").strip('"')
        if not re.fullmatch(r"[0-9]{1,18}", text):
            raise self.make_error("invalid")
        return int(text)


def _assignee_filter(value: str) -> None:
    if value not in ("me", "none") and not (re.fullmatch(r"[0-9]{1,10}", value) and int(value) <= MAX_ID):
        raise ValidationError(_("Use me, none or a user id."))


class DetailsIn(Schema):
    """Kind-specific details; only the ones that belong to the ticket's kind are kept."""

    impact = Text(validate=validate.Length(max=5000), metadata={"description": "incident"})
    environment = Text(validate=validate.Length(max=5000), metadata={"description": "incident"})
    steps = Text(validate=validate.Length(max=5000), metadata={"description": "incident"})
    preferred_window = Text(
        validate=validate.Length(max=5000), metadata={"description": "maintenance, upgrade"}
    )
    current_version = Text(validate=validate.Length(max=5000), metadata={"description": "upgrade"})
    target_version = Text(validate=validate.Length(max=5000), metadata={"description": "upgrade"})


class TicketIn(Schema):
    subject = Text(required=True, validate=validate.Length(min=1, max=SUBJECT_MAX))
    body = Text(required=True, validate=validate.Length(min=1, max=BODY_MAX))
    kind = fields.String(load_default=Kind.question.value, validate=validate.OneOf(KINDS))
    priority = fields.String(load_default=Priority.normal.value, validate=validate.OneOf(PRIORITIES))
    product = Text(load_default="", validate=validate.Length(max=100))
    component = Text(load_default="", validate=validate.Length(max=100))
    details = fields.Nested(DetailsIn, load_default=dict)
    requester_email = Text(
        validate=validate.Email(),
        metadata={
            "format": "email",
            "description": "Staff only: file the ticket for this existing account (422 for customers "
            "and for unknown addresses).",
        },
    )


class TicketListArgs(Schema):
    status = CommaList(
        fields.String(validate=validate.OneOf(STATUSES)),
        metadata={"description": "Repeat it or separate with commas. Default: every status."},
    )
    kind = fields.String(validate=validate.OneOf(KINDS))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    assignee = fields.String(
        validate=_assignee_filter,
        metadata={"description": "me, none (unassigned) or a user id.", "pattern": "^(me|none|[0-9]+)$"},
    )
    organisation = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "An organisation id."}
    )
    product = Text()
    q = Text(validate=validate.Length(max=200), metadata={"description": "Words of the subject, or #number."})
    sort = fields.String(
        load_default="priority",
        validate=validate.OneOf(SORTS),
        metadata={
            "description": "priority (urgent first), created / updated (newest first), oldest, "
            "sla_due (the soonest SLA due time first; tickets with no running SLA clock last)."
        },
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=LIST_LIMIT_MAX))
    cursor = Text(metadata={"description": "next_cursor or prev_cursor of a previous page."})


class TicketPatch(Schema):
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata={"description": "Customers may only close (resolved, closed) or reopen (open)."},
    )
    priority = fields.String(validate=validate.OneOf(PRIORITIES), metadata={"description": "Staff only."})
    kind = fields.String(validate=validate.OneOf(KINDS), metadata={"description": "Staff only."})
    assignee = UserRef(
        allow_none=True,
        metadata={
            "description": "Staff only: an engineer's id or email address; null unassigns.",
            "oneOf": [{"type": "integer"}, {"type": "string", "format": "email"}],
        },
    )
    subject = Text(validate=validate.Length(min=1, max=SUBJECT_MAX))
    product = Text(validate=validate.Length(max=100))
    component = Text(validate=validate.Length(max=100))
    version = fields.Integer(
        strict=True,
        validate=validate.Range(min=1),
        metadata={"description": "The version you read; 409 if the ticket changed since."},
    )


class IfMatchHeader(Schema):
    if_match = EntityVersion(
        data_key="If-Match",
        metadata={"type": "string", "description": "The ticket version you read; 409 if it changed since."},
    )


class MessageIn(Schema):
    body = Text(required=True, validate=validate.Length(min=1, max=BODY_MAX))
    internal = fields.Boolean(
        load_default=False,
        truthy={True},
        falsy={False},
        metadata={"description": "true writes an internal note (staff only; 422 for customers)."},
    )
