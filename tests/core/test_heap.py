"""core.heap: a worker's long-lived objects leave the garbage collector's scans, garbage does not."""

from __future__ import annotations

import gc
import runpy
import weakref
from pathlib import Path

import pytest

from core import heap


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # frozen objects are never collected: give this process its heap back


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_settle_collects_garbage_first_then_freezes_what_lives(unfrozen):
    kept = Node()
    dropped = Node()
    gone = weakref.ref(dropped)
    del dropped
    heap.settle()
    assert gone() is None  # the garbage was collected, not frozen with the rest
    assert gc.get_freeze_count() > 0
    assert not any(obj is kept for obj in gc.get_objects())  # out of the collector's sight
    later = Node()
    assert any(obj is later for obj in gc.get_objects())  # objects made afterwards are scanned as ever


def test_settle_after_request_only_at_the_chosen_counts(unfrozen):
    settled = [n for n in range(1, 2001) if heap.settle_after_request(n)]
    assert settled == sorted(heap.SETTLE_AFTER)


def test_gunicorn_workers_settle_after_their_first_request(unfrozen):
    config = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))

    class Worker:
        pass

    worker = Worker()
    config["post_request"](worker, None, {}, None)
    assert worker.aftercare_served == 1 and gc.get_freeze_count() > 0
    gc.unfreeze()
    config["post_request"](worker, None, {}, None)
    assert worker.aftercare_served == 2 and gc.get_freeze_count() == 0
    config["pre_fork"](None, worker)
    assert gc.get_freeze_count() > 0
