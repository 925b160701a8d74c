"""The floor of the ticket-creation benchmark: bare Flask routes shaped like ours, no database.

Served by the same gunicorn with the same settings and worker count (`gunicorn -c gunicorn.conf.py
bench.bare_app:app`), so what it costs is the server, the HTTP parsing and Flask itself; the rest of a
real ticket's time is ours.
"""

from __future__ import annotations

import itertools

from flask import Flask, redirect, request

app = Flask(__name__)
_numbers = itertools.count(1)


@app.post("/api/v1/tickets")
def api_ticket():
    data = request.get_json()
    return {"number": next(_numbers), "subject": data["subject"], "status": "new"}, 201


@app.post("/portal/tickets/new")
def portal_ticket():
    subject = request.form["subject"]
    return redirect(f"/portal/tickets/{next(_numbers)}?s={len(subject)}", code=303)
