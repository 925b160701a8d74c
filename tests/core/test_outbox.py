"""After-commit effects run once the outermost transaction commits, and savepoints are respected."""

from core.extensions import db
from core.outbox import after_commit


def test_an_effect_runs_after_the_commit_and_not_after_a_rollback():
    ran = []
    after_commit(ran.append, "kept")
    assert ran == []
    db.session.commit()
    after_commit(ran.append, "dropped")
    db.session.rollback()
    db.session.commit()
    assert ran == ["kept"]


def test_releasing_a_savepoint_runs_nothing_until_the_real_commit():
    ran = []
    with db.session.begin_nested():
        after_commit(ran.append, "inside")
    assert ran == []  # the outer transaction could still roll back
    db.session.commit()
    assert ran == ["inside"]


def test_a_savepoint_rolled_back_drops_only_its_own_effects():
    ran = []
    after_commit(ran.append, "before")
    savepoint = db.session.begin_nested()
    after_commit(ran.append, "inside")
    inner = db.session.begin_nested()
    after_commit(ran.append, "innermost")
    inner.commit()
    savepoint.rollback()
    with db.session.begin_nested():
        after_commit(ran.append, "after")
    db.session.commit()
    assert ran == ["before", "after"]


def test_an_outer_rollback_drops_what_released_savepoints_queued():
    ran = []
    with db.session.begin_nested():
        after_commit(ran.append, "inside")
    db.session.rollback()
    db.session.commit()
    assert ran == []
