"""Side effects that leave the database (mail, index updates) run only after the commit.

A service calls `after_commit(fn, *args)`; the callable runs once the surrounding transaction commits
and is dropped if it rolls back, so a failed request never sends a mail about a ticket that does not exist.
Payloads should be plain data (ids, strings): the ORM objects may be expired by then.

Savepoints (`begin_nested`, as mail ingestion uses per message) count too: an effect queued inside a
savepoint that rolls back is dropped with it, while the effects queued before the savepoint stay; releasing
a savepoint runs nothing, as the outer transaction may still roll back. SQLAlchemy sends `after_commit` on a
savepoint's release and `after_rollback` on its rollback, hence the checks below.
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
    session = db.session()
    if not session.in_transaction():  # so that a rollback before any query still drops the effect
        session.begin()
    # The innermost transaction the effect belongs to: rolling it back drops the effect.
    owner = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_KEY, []).append((owner, fn, args, kwargs))


@sa.event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released: the real commit is still to come
        return
    pending = session.info.pop(_KEY, [])
    for _owner, fn, args, kwargs in pending:
        try:
            fn(*args, **kwargs)
        except Exception:  # one failed effect must not hide the others or undo the commit
            current_app.logger.exception("after-commit effect %r failed", fn)


@sa.event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous) -> None:
    if not previous.nested:
        session.info.pop(_KEY, None)
        return
    pending = session.info.get(_KEY, [])
    session.info[_KEY] = [entry for entry in pending if not _inside(entry[0], previous)]


def _inside(owner, transaction) -> bool:
    """Whether `owner` is `transaction` or one of the savepoints opened inside it."""
    while owner is not None:
        if owner is transaction:
            return True
        owner = owner.parent
    return False
