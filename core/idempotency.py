"""Idempotency-Key on the API's POSTs: a request sent again gets the first answer again.

A client that timed out, or whose connection dropped, cannot know whether its ticket was filed; trying
again might file it twice. With the same `Idempotency-Key` header on both tries (any printable ASCII
up to 255 characters, a new one for each thing the client means to do), the retry is safe: the first
request stores its answer in the same transaction as its work (`remember`, called by the view just
before it commits), and a repeat within a day gets that answer back, marked `Idempotent-Replayed:
true`, without doing anything. The same key with another request is refused (422). Keys are kept per
user: two clients cannot collide. Two tries arriving together: the second to commit fails on the
unique key, is rolled back whole, and answers what the first stored.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Response, g, request
from flask_babel import gettext as _
from flask_smorest import abort

from core.api import api_user
from core.db import utcnow
from core.extensions import db
from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
MAX_LENGTH = 255

# For the OpenAPI document (flask-smorest's `doc(parameters=...)`), so clients and schemathesis see it.
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": "^[ -~]+$"},
    "description": "Makes a retry safe: a request sent again with the same key within 24 hours gets "
    "the first answer again (header Idempotent-Replayed: true) instead of being carried out twice.",
}


def idempotent(view):
    """Decorate an API view (outermost, above flask-smorest's decorators) that writes once and calls
    `remember` before it commits."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        _check(key)
        fingerprint = _fingerprint()
        user_id = api_user().id
        stored = _stored(user_id, key)
        if stored is not None:
            return _replay(stored, fingerprint)
        g.idempotency = (user_id, key, fingerprint)
        try:
            return view(*args, **kwargs)
        except sa.exc.IntegrityError:
            # Another try with this key committed first: this one's work was rolled back with it.
            db.session.rollback()
            stored = _stored(user_id, key)
            if stored is None:
                raise
            return _replay(stored, fingerprint)

    return wrapper


def remember(status: int, schema, obj, *, location: str | None = None) -> None:
    """Store the answer this request will give (`obj` as `schema` dumps it), in its transaction.
    Without a key nothing is dumped or stored: requests without one pay nothing."""
    pending = g.get("idempotency")
    if pending is None:
        return
    user_id, key, fingerprint = pending
    body = schema.dump(obj)
    db.session.add(
        IdempotencyKey(
            user_id=user_id,
            key=key,
            fingerprint=fingerprint,
            status=status,
            body=json.dumps(body, ensure_ascii=False, sort_keys=True),
            location=location,
        )
    )


def purge(now: datetime) -> int:
    """Forget the answers older than KEEP; returns how many."""
    gone = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEEP))
    db.session.commit()
    return gone.rowcount or 0


def _check(key: str) -> None:
    if not 0 < len(key) <= MAX_LENGTH or not all(" " <= c <= "~" for c in key):
        message = _("Use 1 to %(max)d printable ASCII characters.", max=MAX_LENGTH)
        abort(422, message=message, errors={"headers": {HEADER: [message]}})


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def _stored(user_id: int, key: str) -> IdempotencyKey | None:
    found = db.session.scalar(
        sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    if found is not None and found.created_at < utcnow() - KEEP:
        # Expired (the hourly purge has not come yet): the key is free again.
        db.session.delete(found)
        db.session.flush()
        return None
    return found


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        message = _("This key was already used for another request: use a new key for each request.")
        abort(422, message=message, errors={"headers": {HEADER: [message]}})
    headers = {"Idempotent-Replayed": "true"}
    if stored.location:
        headers["Location"] = stored.location
    return Response(stored.body, status=stored.status, mimetype="application/json", headers=headers)
