"""Settings of the improvement loop, with their defaults; each can be set as AFTERCARE_<NAME>."""

from __future__ import annotations

from flask import Flask

DEFAULTS = {
    # Recurring problems: which kinds of ticket, how many make a cluster, the window of the page and job.
    "REVIEWS_DETECT_KINDS": ["incident", "question"],
    "REVIEWS_MIN_CLUSTER": 3,
    "REVIEWS_DETECT_DAYS": 30,
    # A stored detection younger than this is shown instead of computing again.
    "REVIEWS_DETECT_MAX_AGE_MINUTES": 60,
    # Effectiveness compares equal windows before and after the fix date, at most this long.
    "REVIEWS_EFFECT_DAYS": 30,
    # Surveys: how long the link works.
    "REVIEWS_SURVEY_DAYS": 14,
    # Review meetings: "weekly" (periods start on Monday) or "monthly"; periods follow this time zone.
    "REVIEWS_CADENCE": "weekly",
    "REVIEWS_TIMEZONE": None,  # None: DEFAULT_TIMEZONE
}


def register(app: Flask) -> None:
    """Fill in the defaults the environment or the test config did not set."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
