"""Error pages for people and JSON bodies for the API, so nothing reaches a user as a bare 500."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.extensions import api, db


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
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        wrapped = InternalServerError()
        if wants_json():
            return jsonify(code=500, status=wrapped.name, message="An unexpected error occurred."), 500
        return render_template("errors.html", error=wrapped), 500
