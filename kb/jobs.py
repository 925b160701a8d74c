"""Periodic jobs of the knowledge base."""

from __future__ import annotations

from datetime import datetime

from core.jobs import Job
from kb import indexing


def index_pending(now: datetime) -> int:
    """Index the articles queued since the last run; rebuild the index when it is missing or unreadable."""
    return indexing.drain(now=now)


JOBS = [
    Job(
        "kb.index_pending",
        index_pending,
        "interval",
        {"seconds": 30},
        "Bring the knowledge-base search index up to date",
    ),
]
