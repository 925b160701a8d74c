"""Periodic jobs of the improvement loop: detection for the recurring-problems page, and the draft
review of each finished period."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from core.extensions import db
from core.jobs import Job
from reviews import queries, services


def detect(now: datetime) -> int:
    """Store a detection over REVIEWS_DETECT_DAYS, so the page shows it without computing; returns the
    number of clusters. Safe to run twice: each run is one more stored result, the page shows the latest."""
    row = queries.run_detection(days=current_app.config["REVIEWS_DETECT_DAYS"], now=now)
    db.session.commit()
    return len(row.clusters)


def create_review(now: datetime) -> bool:
    """Prepare the draft review of the last finished week or month, once (REVIEWS_CADENCE)."""
    try:
        review = services.create_due_review(now=now)
        db.session.commit()
    except sa.exc.IntegrityError:
        # Two runs at once: the period's unique key let the other one's review in first. Looking
        # again finds it (or, if something else clashed, fails again and says so).
        db.session.rollback()
        review = services.create_due_review(now=now)
        db.session.commit()
    return review is not None


JOBS = [
    Job("reviews.detect", detect, "interval", {"hours": 1}, "Detect recurring problems"),
    Job(
        "reviews.create_review",
        create_review,
        "interval",
        {"hours": 1},
        "Prepare the draft review of a period",
    ),
]
