"""Keeping the garbage collector off the long-lived heap of a web worker.

A worker holds a few hundred thousand objects that live as long as it does: modules, mappers,
compiled templates, locale data, statement caches. Each full collection walks all of them (70-90 ms
here, bench/bench_queue.py), and a queue page allocates enough to set one off every dozen pages or
so: that was the slow tail of the queue. `gc.freeze()` moves what exists now into a generation the
collector never scans; what is freed later is still collected. Done right after a collection, so no
garbage is frozen with them, and at a few request counts, since caches fill as the first pages of
each kind are served.
"""

from __future__ import annotations

import gc

# Requests after which a worker settles its heap: caches are warm within the first hundred pages.
SETTLE_AFTER = frozenset({1, 10, 100, 1000})


def settle() -> None:
    """Collect garbage, then leave every object alive now out of future collections."""
    gc.collect()
    gc.freeze()


def settle_after_request(served: int) -> bool:
    """Settle when `served` (requests this process has answered) is one of SETTLE_AFTER."""
    if served in SETTLE_AFTER:
        settle()
        return True
    return False
