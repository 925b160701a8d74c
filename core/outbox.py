"""Side effects that leave the database (mail, index updates) run only after the commit.

A service calls `after_commit(fn, *args)`; the callable runs once the surrounding transaction commits
and is dropped if it rolls back, so a failed request never sends a mail about a ticket that does not exist.
Payloads should be plain data (ids, strings): the ORM objects may be expired by then.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from core.extensions import db

_KEY = "aftercare_after_commit"


def after_commit(fn: Callable, *args, **kwargs) -> None:
    """Run `fn(*args, **kwargs)` after the current transaction commits."""
    db.session().info.setdefault(_KEY, []).append((fn, args, kwargs))


@sa.event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    pending = session.info.pop(_KEY, [])
    for fn, args, kwargs in pending:
        try:
            fn(*args, **kwargs)
        except Exception:  # one failed effect must not hide the others or undo the commit
            current_app.logger.exception("after-commit effect %r failed", fn)


@sa.event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_KEY, None)
