"""Recurring problems (`/reviews/recurring`): confirm a cluster as a Problem or dismiss it; problems
(`/reviews/problems`); and the problem panel of the staff ticket page. Staff only.

The recurring page shows the detection the hourly job stored (`reviews.detect`) when it is recent, and
computes the window itself otherwise (or when asked to, with ?fresh=1); nothing is stored by a GET.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.auth import role_required
from core.db import utcnow
from core.extensions import db
from core.forms import add_error
from kb.models import Article
from reviews import queries, services
from reviews.errors import ReviewError
from reviews.forms import PROBLEM_STATUS_LABELS, ClusterForm, LinkTicketForm, ProblemForm
from reviews.models import Problem
from reviews.views.common import me
from support import queries as support_queries

bp = Blueprint("problems", __name__, url_prefix="/reviews")


@bp.before_request
@role_required("staff")
def _staff_only():
    """Problems span every organisation: the support team's pages."""


@bp.context_processor
def _labels():
    return {"PROBLEM_STATUS_LABELS": PROBLEM_STATUS_LABELS}


# -- recurring clusters ------------------------------------------------------------------------------


@bp.get("/recurring")
def recurring():
    days = min(max(request.args.get("days", type=int) or current_app.config["REVIEWS_DETECT_DAYS"], 1), 366)
    now = utcnow()
    max_age = timedelta(minutes=current_app.config["REVIEWS_DETECT_MAX_AGE_MINUTES"])
    stored = None if request.args.get("fresh") else queries.stored_detection(days, now=now, max_age=max_age)
    if stored is not None:
        clusters, computed_at = queries.still_open(stored.clusters), stored.computed_at
    else:
        clusters, computed_at = [v.as_dict() for v in queries.detect_recurring(days=days, now=now)], now
    return render_template(
        "reviews/recurring.html",
        clusters=clusters,
        days=days,
        computed_at=computed_at,
        problems={p.id: p for p in queries.problems()},
        json=json,
    )


def _cluster_from(form: ClusterForm) -> dict:
    try:
        numbers = [int(n) for n in (form.numbers.data or "").split(",") if n.strip()]
        signature = json.loads(form.signature.data or "{}")
    except ValueError:
        raise ReviewError(_("This cluster can no longer be used; reload the page."), "title") from None
    if not numbers or not isinstance(signature, dict):
        raise ReviewError(_("This cluster can no longer be used; reload the page."), "title")
    return {"numbers": numbers, "signature": signature}


@bp.post("/recurring/confirm")
def confirm():
    form = ClusterForm()
    try:
        cluster = _cluster_from(form)
        problem = services.confirm_cluster(
            title=form.title.data or form.label.data, actor=me(), now=utcnow(), **cluster
        )
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".recurring"), code=303)
    db.session.commit()
    flash(
        _("Problem #%(id)s created with %(count)s tickets.", id=problem.id, count=len(problem.links)),
        "success",
    )
    return redirect(url_for(".problem", problem_id=problem.id), code=303)


@bp.post("/recurring/dismiss")
def dismiss():
    form = ClusterForm()
    try:
        cluster = _cluster_from(form)
        services.dismiss_cluster(
            key=form.key.data, label=form.label.data, reason=form.reason.data or "", actor=me(), **cluster
        )
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Dismissed: this cluster will not be shown again."), "success")
    return redirect(url_for(".recurring", days=request.args.get("days", type=int)), code=303)


# -- problems ----------------------------------------------------------------------------------------


@bp.get("/problems")
def problems():
    status = request.args.get("status")
    statuses = (status,) if status in PROBLEM_STATUS_LABELS else None
    return render_template(
        "reviews/problems.html", problems=queries.problems(statuses=statuses), status=status
    )


def _problem_or_404(problem_id: int) -> Problem:
    problem = db.session.get(Problem, problem_id)
    if problem is None:
        abort(404)
    return problem


def _render_problem(
    problem: Problem, *, form: ProblemForm | None = None, link: LinkTicketForm | None = None, status=200
):
    if form is None:
        form = ProblemForm(formdata=None, obj=problem)
        form.fixed_on.data = problem.fixed_at.date() if problem.fixed_at else None
    html = render_template(
        "reviews/problem.html",
        problem=problem,
        form=form,
        link=link or LinkTicketForm(formdata=None),
        links=queries.problem_links(problem),
        effect=queries.effectiveness(problem, now=utcnow()),
    )
    return html, status


@bp.get("/problems/<int:problem_id>")
def problem(problem_id: int):
    return _render_problem(_problem_or_404(problem_id))


@bp.post("/problems/<int:problem_id>")
def edit_problem(problem_id: int):
    problem = _problem_or_404(problem_id)
    form = ProblemForm()
    if form.validate():
        article = db.session.get(Article, form.article_id.data) if form.article_id.data else None
        keep = problem.fixed_at and problem.fixed_at.date() == form.fixed_on.data
        fixed_on = problem.fixed_at if keep else _moment(form.fixed_on.data)
        try:
            if form.article_id.data and article is None:
                raise ReviewError(_("There is no article %(id)s.", id=form.article_id.data), "article_id")
            services.update_problem(
                problem,
                title=form.title.data,
                status=form.status.data,
                root_cause=form.root_cause.data or "",
                workaround=form.workaround.data or "",
                article=article,
                fixed_on=fixed_on,
            )
        except ReviewError as exc:
            db.session.rollback()
            add_error(form, exc)
        else:
            db.session.commit()
            flash(_("Problem saved."), "success")
            return redirect(url_for(".problem", problem_id=problem_id), code=303)
    return _render_problem(problem, form=form, status=400)


def _moment(day: date | None) -> datetime | None:
    """A fix date as a time: now for today, else the start of that day (UTC)."""
    if day is None:
        return None
    now = utcnow()
    return now if day == now.date() else datetime.combine(day, time(0), tzinfo=UTC)


@bp.post("/problems/<int:problem_id>/tickets")
def link_ticket(problem_id: int):
    problem = _problem_or_404(problem_id)
    form = LinkTicketForm()
    if form.validate():
        ticket = support_queries.ticket_for(me(), form.number.data)
        if ticket is None:
            form.number.errors = [_("There is no ticket #%(number)s.", number=form.number.data)]
        else:
            services.link_ticket(problem, ticket, actor=me())
            db.session.commit()
            flash(_("#%(number)s linked.", number=ticket.id), "success")
            return redirect(url_for(".problem", problem_id=problem_id), code=303)
    return _render_problem(problem, link=form, status=400)


@bp.post("/problems/<int:problem_id>/tickets/<int:number>/unlink")
def unlink_ticket(problem_id: int, number: int):
    problem = _problem_or_404(problem_id)
    ticket = support_queries.ticket_for(me(), number)
    if ticket is not None:
        services.unlink_ticket(problem, ticket)
        db.session.commit()
        flash(_("#%(number)s is no longer linked.", number=number), "success")
    return redirect(url_for(".problem", problem_id=problem_id), code=303)


# -- the panel of the staff ticket page -------------------------------------------------------------


@bp.post("/tickets/<int:number>/problems/<int:problem_id>/<any(link, reject):decision>")
def decide(number: int, problem_id: int, decision: str):
    """Link a suggested known error to the ticket, or say it is something else; back to the ticket."""
    problem = _problem_or_404(problem_id)
    ticket = support_queries.ticket_for(me(), number)
    if ticket is None:
        abort(404)
    if decision == "link":
        services.link_ticket(problem, ticket, actor=me())
        flash(_("Linked to problem #%(id)s.", id=problem.id), "success")
    else:
        services.reject_suggestion(problem, ticket, actor=me())
        flash(_("The suggestion was removed."), "info")
    db.session.commit()
    return redirect(url_for("queue.ticket", number=number, _anchor="problems"), code=303)
