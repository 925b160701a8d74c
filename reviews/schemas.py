"""What the improvement loop's API takes and gives."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from reviews.surveys import COMMENT_MAX


class RecurringArgs(Schema):
    days = fields.Integer(
        load_default=30,
        validate=validate.Range(min=1, max=366),
        metadata={"description": "The window: tickets opened in the last N days."},
    )
    min_size = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=2, max=10_000),
        metadata={"description": "Tickets a cluster needs in the window (default REVIEWS_MIN_CLUSTER)."},
    )


class TrendOut(Schema):
    previous = fields.Integer(metadata={"description": "Tickets of the same fault in the N days before."})
    change = fields.Integer()
    direction = fields.String(metadata={"enum": ["new", "up", "down", "flat"]})


class ClusterOut(Schema):
    label = fields.String(metadata={"description": "The characteristic terms, English / Chinese, and codes."})
    key = fields.String()
    tickets = fields.List(fields.Integer(), metadata={"description": "Ticket numbers in the window."})
    size = fields.Integer()
    trend = fields.Nested(TrendOut)
    organisations = fields.List(fields.String())
    products = fields.List(fields.String())
    problem_id = fields.Integer(
        allow_none=True, metadata={"description": "The confirmed problem it matches."}
    )


class RecurringOut(Schema):
    days = fields.Integer()
    clusters = fields.List(fields.Nested(ClusterOut))


class SurveyIn(Schema):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=COMMENT_MAX))


class SurveyOut(Schema):
    ticket = fields.Integer(attribute="ticket_id")
    score = fields.Integer()
    comment = fields.String()
    answered_at = fields.DateTime()
