"""`POST /api/v1/mail/inbound`: a remote MTA hands over one raw RFC 5322 message.

The body is the message as it would be piped to `flask mail ingest -` (any Content-Type; the bytes
are taken as they are). Authorised by the bearer token of a staff account, or by MAIL_INGEST_TOKEN
(a shared secret for the MTA, so it needs no user). Answers 200 with the action, 400 for an empty
body, 413 for a mail larger than MAX_CONTENT_LENGTH (30 MB), 503 with Retry-After when the mail
cannot be taken now: the MTA keeps it and retries.
"""

from __future__ import annotations

import hmac
from http import HTTPStatus

from flask import current_app, request
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from core.auth import bearer_user
from support.mail.ingest import TemporaryFailure, ingest

blp = Blueprint("mail_api", __name__, url_prefix="/api/v1", description="Inbound mail")


class InboundOut(Schema):
    action = fields.String(
        required=True, metadata={"enum": ["created", "appended", "duplicate", "ignored", "quarantined"]}
    )
    ticket = fields.Integer(allow_none=True, metadata={"description": "the ticket number, when there is one"})
    inbound_id = fields.Integer(metadata={"description": "the row of the inbound log"})
    reason = fields.String(metadata={"description": "why it was ignored or quarantined"})


@blp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    secret = current_app.config.get("MAIL_INGEST_TOKEN")
    if scheme.lower() == "bearer" and secret and hmac.compare_digest(token.strip().encode(), secret.encode()):
        return
    user = bearer_user()
    if user is None:
        abort(
            401,
            message=_("A valid API token is required: send Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not user.is_staff:
        abort(403, message=_("Only the support team or the mail system may hand over mail."))


@blp.post("/mail/inbound")
@blp.doc(
    requestBody={
        "required": True,
        "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
    }
)
@blp.response(200, InboundOut)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(413, response=HTTPStatus.REQUEST_ENTITY_TOO_LARGE.name)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def inbound():
    """Hand over one raw mail

    Every outcome is a 200: `created` and `appended` name the ticket; `duplicate` (a Message-ID
    seen before), `ignored` (auto-replies, bounces, our own mail) and `quarantined` (kept for an
    admin) are answers too. Retry only on 503.
    """
    raw = request.get_data(cache=False)
    if not raw.strip():
        abort(400, message=_("Send the raw message as the request body."))
    try:
        result = ingest(raw, source="api")
    except TemporaryFailure:
        abort(
            503,
            message=_("The mail cannot be taken right now; send it again later."),
            headers={"Retry-After": "60"},
        )
    return result.as_dict()
