"""The public survey page (`/survey/<token>`, no sign-in: the token is the credential), the portal's
survey prompt, and the reviews panels other packages' pages include.

How the portal and the staff ticket page show reviews without importing it (support must not): reviews
registers a context processor on the app giving templates functions that answer for one ticket, and ships the templates that use
them. The portal ticket page and the staff ticket page each have one line,
`{% include "reviews/_portal_survey.html" ignore missing %}` and
`{% include "reviews/_ticket_panel.html" ignore missing %}`; without reviews installed the include finds
no template and the page renders as before.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.db import utcnow
from core.extensions import db, login_manager
from core.forms import add_error
from reviews import queries, surveys
from reviews.errors import ReviewError
from reviews.forms import SurveyForm
from support import queries as support_queries
from support.models import Status, Ticket

bp = Blueprint("survey", __name__)


@bp.route("/survey/<string(maxlength=100):token>", methods=["GET", "POST"])
def answer(token: str):
    try:
        survey = surveys.survey_for_token(token)
    except surveys.SurveyUnavailable as exc:
        status = {"not_found": 404, "answered": 409, "expired": 410}[exc.reason]
        return render_template("reviews/survey.html", unavailable=str(exc), form=None), status
    form = SurveyForm()
    if request.method == "GET" and request.args.get("score") in {"1", "2", "3", "4", "5"}:
        form.score.data = request.args["score"]  # the score link chosen in the mail
    if form.validate_on_submit():
        try:
            surveys.answer(
                survey, score=int(form.score.data), comment=form.comment.data or "", channel="link"
            )
        except ReviewError as exc:
            db.session.rollback()
            add_error(form, exc)
        else:
            db.session.commit()
            return redirect(url_for(".thanks"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("reviews/survey.html", form=form, ticket=survey.ticket, unavailable=None), status


@bp.get("/survey/thanks")
def thanks():
    return render_template("reviews/survey.html", thanks=True, form=None, unavailable=None)


@bp.post("/survey/tickets/<int:number>")
def answer_on_portal(number: int):
    """The portal ticket page's survey form posts here."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    ticket = support_queries.ticket_for(current_user, number)
    if ticket is None or current_user.is_staff:
        abort(404)
    form = SurveyForm()
    if form.validate():
        try:
            surveys.answer_on_portal(
                ticket,
                user=current_user._get_current_object(),
                score=int(form.score.data),
                comment=form.comment.data or "",
            )
        except ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Thank you for rating the help you got."), "success")
    else:
        flash(_("Choose a score from 1 to 5."), "error")
    return redirect(url_for("portal.ticket", number=number, _anchor="satisfaction"), code=303)


# -- what other pages include ------------------------------------------------------------------------


def portal_survey(ticket: Ticket) -> dict | None:
    """What the portal ticket page shows about the survey: nothing until the ticket is resolved."""
    if ticket.status not in (Status.resolved, Status.closed) or ticket.merged_into_id is not None:
        return None
    survey = queries.survey_of(ticket)
    if survey is not None and survey.answered:
        return {"answered": True, "score": survey.score}
    return {"answered": False, "form": SurveyForm(formdata=None)}


def ticket_problems(ticket: Ticket) -> list:
    """Known errors linked to or suggested for a ticket, for the staff ticket page's panel."""
    return queries.ticket_problems(ticket)


def my_overdue_actions() -> list:
    """The signed-in engineer's overdue action items (for the queue page)."""
    if not current_user.is_authenticated or not current_user.is_staff:
        return []
    return queries.overdue_actions(current_user, utcnow().date())


def register(app: Flask) -> None:
    """The context processor that gives every template (and so the includes) these three functions."""

    @app.context_processor
    def _reviews_panels():
        return {
            "reviews_portal_survey": portal_survey,
            "reviews_ticket_problems": ticket_problems,
            "reviews_overdue_actions": my_overdue_actions,
        }
