"""Knowledge-base reports for staff: most viewed and least helpful articles, the searches that found
nothing (knowledge gaps) and how often suggestions kept a ticket from being filed (deflection)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request

from core.auth import role_required
from core.db import utcnow
from kb import queries

bp = Blueprint("kb_reports", __name__, url_prefix="/kb/reports")
PERIODS = (7, 30, 90, 365)


@bp.before_request
@role_required("staff")
def _staff_only():
    """Reports are for the support team."""


@bp.get("")
def index():
    days = request.args.get("days", "30")
    days = int(days) if days.isdigit() and int(days) in PERIODS else 30
    now = utcnow()
    since = now - timedelta(days=days)
    return render_template(
        "kb/reports.html",
        days=days,
        periods=PERIODS,
        most_viewed=queries.most_viewed(limit=10),
        least_helpful=queries.least_helpful(limit=10),
        gaps=queries.knowledge_gaps(since=since, limit=20),
        deflection=queries.deflection_stats(since=since, now=now),
    )
