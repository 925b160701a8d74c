"""Error pages for people and JSON bodies for the API, so nothing reaches a user as a bare 500."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from core.extensions import api, db, login_manager

RETRY_AFTER_SECONDS = 30  # what a 503 asks the client to wait while the database is away
# SQLite reports its own mistakes ("no such table") as OperationalError too: these are the moment's.
_SQLITE_UNAVAILABLE = ("database is locked", "database is busy", "unable to open", "disk i/o error")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if wants_json():
            return jsonify(code=400, status="Bad Request", message=error.description), 400
        return render_template("errors.html", error=error), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_json():
            # flask-smorest's handler keeps the field errors of a failed schema load in the body.
            return api.handle_http_exception(error)
        return render_template("errors.html", error=error), error.code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if database_unavailable(error):
            return unavailable(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        wrapped = InternalServerError()
        if wants_json():
            return jsonify(code=500, status=wrapped.name, message="An unexpected error occurred."), 500
        return render_template("errors.html", error=wrapped), 500


def database_unavailable(error: Exception) -> bool:
    """True when the database cannot be reached or is locked now, rather than the code being wrong."""
    if isinstance(error, sa.exc.TimeoutError | sa.exc.DisconnectionError):  # pool exhausted, ping failed
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error, sa.exc.InterfaceError):
        return True
    if not isinstance(error, sa.exc.OperationalError):
        return False
    if type(error.orig).__module__.startswith("sqlite3"):
        return str(error.orig).lower().startswith(_SQLITE_UNAVAILABLE)
    return True  # PostgreSQL: refused, shut down, connection lost, statement cancelled


def unavailable(error: Exception):
    """503 with Retry-After: the database is away (restarting, locked), nothing of the request was kept.

    The page must not need the database either, so it is shown as to a visitor who is not signed in.
    """
    current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    with contextlib.suppress(sa.exc.SQLAlchemyError):
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    wrapped = ServiceUnavailable()
    if wants_json():
        message = _(
            "The service is unavailable for a moment and saved nothing of this request. Try again shortly."
        )
        return jsonify(code=503, status=wrapped.name, message=message), 503, headers
    return render_template("errors.html", error=wrapped), 503, headers
