"""What every REST blueprint shares: bearer-token authentication and documented error answers."""

from __future__ import annotations

from http import HTTPStatus

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from core.auth import bearer_user
from core.extensions import db
from core.models import User


def require_token(blp: Blueprint, *, staff_only: str | None = None) -> None:
    """Answer 401 (JSON) on `blp` unless the request carries a valid bearer token.

    With `staff_only` (the message to show), customers' tokens get a 403 too.
    """

    @blp.before_request
    def _authenticate():
        user = bearer_user()
        if user is None:
            abort(
                401,
                message=_("A valid API token is required: send Authorization: Bearer <token>."),
                headers={"WWW-Authenticate": "Bearer"},
            )
        if staff_only is not None and not user.is_staff:
            abort(403, message=str(staff_only))
        g.api_user = user
        # bearer_user() stamps the token's last use (at most once a minute); keep it even when the
        # request itself only reads or is refused.
        if db.session.dirty:
            db.session.commit()


def api_user() -> User:
    """The user whose token authenticated this request."""
    return g.api_user


def error_responses(blp: Blueprint):
    """A decorator factory documenting the error answers an operation gives besides 422."""

    def errors(*codes: int):
        def decorator(view):
            for code in codes:
                view = blp.alt_response(code, response=HTTPStatus(code).name)(view)
            return view

        return decorator

    return errors
