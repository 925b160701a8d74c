"""Review meetings (`/reviews`): the list, a review's page with its snapshot, notes and action items,
and action items followed until done. Staff only.

The hourly job prepares the draft of each finished week or month (REVIEWS_CADENCE); a review for any
other period can be prepared here. The team edits notes, adds action items and marks the review held.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.auth import role_required
from core.db import utcnow
from core.extensions import db
from core.forms import add_error, choices
from core.models import User
from kb.models import Article
from reviews import queries, services
from reviews.errors import ReviewError
from reviews.forms import (
    ACTION_STATUS_LABELS,
    PROBLEM_STATUS_LABELS,
    ActionForm,
    ActionUpdateForm,
    NewReviewForm,
    NotesForm,
)
from reviews.models import ActionItem, Problem, Review
from reviews.views.common import me
from support import queries as support_queries
from support.labels import KIND_LABELS

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

TARGET_LABELS = {
    "first_response": _l("First response"),
    "next_reply": _l("Next reply"),
    "resolution": _l("Resolution"),
}


@bp.before_request
@role_required("staff")
def _staff_only():
    """Reviews are the team's meetings."""


@bp.context_processor
def _labels():
    return {
        "ACTION_STATUS_LABELS": ACTION_STATUS_LABELS,
        "PROBLEM_STATUS_LABELS": PROBLEM_STATUS_LABELS,
        "KIND_LABELS": KIND_LABELS,
        "today": utcnow().date(),
    }


def _people() -> list:
    return choices(
        [("", _("Nobody yet")), *((str(u.id), u.display_name) for u in support_queries.staff_users())]
    )


def _action_form(**kwargs) -> ActionForm:
    form = ActionForm(**kwargs)
    form.owner.choices = _people()
    form.problem.choices = choices(
        [("", _("None")), *((str(p.id), f"#{p.id} {p.title}") for p in queries.open_problems())]
    )
    return form


def _update_form(action: ActionItem | None = None, **kwargs) -> ActionUpdateForm:
    if action is not None:
        kwargs.setdefault(
            "data", {"status": action.status, "owner": action.owner_id, "due_on": action.due_on}
        )
    form = ActionUpdateForm(**kwargs)
    form.owner.choices = _people()
    return form


@bp.get("")
def index():
    return render_template(
        "reviews/index.html",
        reviews=queries.reviews(),
        actions=queries.open_actions(),
        mine=queries.overdue_actions(me(), utcnow().date()),
        form=NewReviewForm(formdata=None),
    )


@bp.post("")
def create():
    form = NewReviewForm()
    if form.validate():
        start = datetime.combine(form.start.data, time(0), tzinfo=UTC)
        end = datetime.combine(form.end.data, time(0), tzinfo=UTC)
        try:
            review = services.create_review(period_start=start, period_end=end, cadence="custom")
        except ReviewError as exc:
            db.session.rollback()
            add_error(form, exc)
        else:
            db.session.commit()
            flash(_("The review is ready: its figures were taken just now."), "success")
            return redirect(url_for(".review", review_id=review.id), code=303)
    html = render_template(
        "reviews/index.html",
        reviews=queries.reviews(),
        actions=queries.open_actions(),
        mine=queries.overdue_actions(me(), utcnow().date()),
        form=form,
    )
    return html, 400


def _review_or_404(review_id: int) -> Review:
    review = queries.review_for(review_id)
    if review is None:
        abort(404)
    return review


def _render(review: Review, *, notes=None, action=None, status: int = 200):
    html = render_template(
        "reviews/review.html",
        review=review,
        snap=review.snapshot or {},
        notes=notes or NotesForm(formdata=None, data={"notes": review.notes}),
        action=action or _action_form(formdata=None),
        carried=queries.open_actions(before=review.period_start),
        updates={a.id: _update_form(a, formdata=None, prefix=f"a{a.id}") for a in review.actions},
        carried_updates={
            a.id: _update_form(a, formdata=None, prefix=f"a{a.id}")
            for a in queries.open_actions(before=review.period_start)
        },
        TARGET_LABELS=TARGET_LABELS,
    )
    return html, status


@bp.get("/<int:review_id>")
def review(review_id: int):
    return _render(_review_or_404(review_id))


@bp.post("/<int:review_id>/notes")
def notes(review_id: int):
    review = _review_or_404(review_id)
    form = NotesForm()
    if not form.validate():
        return _render(review, notes=form, status=400)
    services.save_notes(review, notes=form.notes.data or "")
    db.session.commit()
    flash(_("Notes saved."), "success")
    return redirect(url_for(".review", review_id=review_id), code=303)


@bp.post("/<int:review_id>/refresh")
def refresh(review_id: int):
    review = _review_or_404(review_id)
    try:
        services.refresh_snapshot(review)
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("The figures were taken again."), "success")
    return redirect(url_for(".review", review_id=review_id), code=303)


@bp.post("/<int:review_id>/hold")
def hold(review_id: int):
    review = _review_or_404(review_id)
    services.hold_review(review)
    db.session.commit()
    flash(_("The review is marked held."), "success")
    return redirect(url_for(".review", review_id=review_id), code=303)


@bp.post("/<int:review_id>/actions")
def add_action(review_id: int):
    review = _review_or_404(review_id)
    form = _action_form()
    if form.validate():
        article = db.session.get(Article, form.article_id.data) if form.article_id.data else None
        try:
            if form.article_id.data and article is None:
                raise ReviewError(_("There is no article %(id)s.", id=form.article_id.data), "article_id")
            services.add_action(
                review,
                title=form.title.data,
                owner=_user(form.owner.data),
                due_on=form.due_on.data,
                problem=db.session.get(Problem, form.problem.data) if form.problem.data else None,
                article=article,
            )
        except ReviewError as exc:
            db.session.rollback()
            add_error(form, exc)
        else:
            db.session.commit()
            flash(_("Action item added."), "success")
            return redirect(url_for(".review", review_id=review_id, _anchor="actions"), code=303)
    return _render(review, action=form, status=400)


@bp.post("/actions/<int:action_id>")
def update_action(action_id: int):
    action = db.session.get(ActionItem, action_id)
    if action is None:
        abort(404)
    form = _update_form(prefix=f"a{action_id}")
    if form.validate():
        try:
            services.update_action(
                action, status=form.status.data, owner=_user(form.owner.data), due_on=form.due_on.data
            )
        except ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Action item updated."), "success")
    else:
        flash(_("The action item could not be updated: %(errors)s", errors=_errors(form)), "error")
    # An item carried into a later review is updated from that review's page: go back there.
    back = request.args.get("back", type=int) or action.review_id
    return redirect(url_for(".review", review_id=back, _anchor=f"action-{action_id}"), code=303)


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def _errors(form) -> str:
    return "; ".join(f"{form[name].label.text}: {', '.join(errs)}" for name, errs in form.errors.items())
