"""The browser session's visit to the new-ticket form, for counting deflection.

A visit starts when suggestions are first shown and ends when a ticket is filed, or settles after
KB_DEFLECTION_SETTLE_MINUTES; the token lives in the (signed) session cookie. The portal calls
`end()` when it files a ticket, so the visit is charged with that ticket and the next one starts afresh.
"""

from __future__ import annotations

import time

from flask import current_app, session

from kb.activity import new_visit_token

KEY = "kb_visit"


def current_token() -> str:
    """This browser's current visit; a visit that has settled starts a new one."""
    settle = current_app.config["KB_DEFLECTION_SETTLE_MINUTES"] * 60
    token, started = session.get(KEY), session.get(KEY + "_at", 0)
    if not token or time.time() - started > settle:
        token = new_visit_token()
        session[KEY], session[KEY + "_at"] = token, int(time.time())
    return token


def end() -> str | None:
    """The token of the visit that just filed a ticket (None when no suggestion was shown), forgotten."""
    session.pop(KEY + "_at", None)
    return session.pop(KEY, None)
