"""Reading the knowledge base: search and browse, an article with "was this helpful?", and the
suggestions the portal's new-ticket form shows while the customer types.

Public articles are readable without signing in when KB_PUBLIC is on; internal ones and drafts only by
staff (anyone else gets 404, as for an article that does not exist).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from core.db import writes_on_get
from core.extensions import db, login_manager
from core.models import User
from kb import activity, queries, visits
from kb.forms import FeedbackForm, SearchForm, choices
from kb.models import Article
from kb.services import ArticleError
from support import links

bp = Blueprint("kb", __name__, url_prefix="/kb")

SEEN_KEY = "kb_seen"  # articles this browser session has already been counted as reading
VOTER_KEY = "kb_voter"


@bp.before_request
def _readers():
    if not current_app.config["KB_PUBLIC"] and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def viewer() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _partial() -> bool:
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def _page() -> int:
    page = request.args.get("page", "1")
    return min(int(page), 1000) if page.isascii() and page.isdigit() and int(page) > 0 else 1


def search_form() -> SearchForm:
    form = SearchForm(formdata=request.args)
    form.category.choices = choices({str(c.id): c.name for c in queries.categories()}, _("Any category"))
    form.product.choices = choices({p: p for p in queries.products()}, _("Any product"))
    return form


@bp.get("")
@writes_on_get
def index():
    form = search_form()
    valid = form.validate()
    text = (form.q.data or "").strip() if valid else ""
    filters = {
        "language": form.language.data or None,
        "category": int(form.category.data) if (form.category.data or "").isdigit() else None,
        "product": form.product.data or None,
    }
    found = listing = None
    if text:
        found = queries.search_articles(
            text, viewer=viewer(), page=_page(), per_page=current_app.config["KB_PAGE_SIZE"], **filters
        )
        if _page() == 1 and activity.log_search(text, hits=found.total, source="kb", user=viewer()):
            db.session.commit()
    else:
        listing = queries.article_list(viewer(), status="published", page=_page(), per_page=20, **filters)
    args = {k: v for k, v in request.args.items() if k != "page"}
    html = render_template(
        "kb/_results.html" if _partial() else "kb/index.html",
        form=form,
        found=found,
        listing=listing,
        args=args,
        text=text,
    )
    response = make_response(html, 200 if valid else 400)
    response.vary.add("HX-Request")
    return response


@bp.get("/<ref>")
@writes_on_get
def article(ref: str):
    found = queries.article_for(viewer(), ref)
    if found is None:
        abort(404)
    _count_view(found)
    return _render_article(found, FeedbackForm(formdata=None))


@bp.post("/<int:article_id>/feedback")
def feedback(article_id: int):
    found = queries.article_for(viewer(), article_id)
    if found is None:
        abort(404)
    form = FeedbackForm()
    if form.validate():
        try:
            activity.give_feedback(
                found,
                helpful=form.helpful.data == "yes",
                voter=_voter(),
                user=viewer(),
                comment=form.comment.data or "",
            )
        except ArticleError as exc:
            db.session.rollback()
            form.comment.errors = [*form.comment.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Thank you for telling us."), "success")
            return redirect(url_for(".article", ref=found.ref, _anchor="feedback"), code=303)
    return _render_article(found, form), 400


@bp.get("/suggest")
@writes_on_get
def suggest():
    """Articles that may answer what the customer is typing into the new-ticket form (an htmx fragment)."""
    subject = (request.args.get("subject") or "").strip()[:200]
    body = (request.args.get("body") or "").strip()[:300]
    text = f"{subject} {body}".strip()
    if len(text) < 2:
        return render_template("kb/_suggestions.html", found=None)
    found = queries.search_articles(text, viewer=viewer(), per_page=5)
    activity.log_search(text, hits=found.total, source="suggest", user=viewer())
    if found.hits:
        activity.suggestions_shown(visits.current_token(), user=viewer())
    db.session.commit()
    return render_template("kb/_suggestions.html", found=found)


@bp.get("/suggested/<int:article_id>")
@writes_on_get
def suggested(article_id: int):
    """A suggestion was opened: count it for the visit, then show the article."""
    found = queries.article_for(viewer(), article_id)
    if found is None:
        abort(404)
    activity.suggestion_opened(visits.current_token(), found, user=viewer())
    db.session.commit()
    return redirect(url_for(".article", ref=found.ref), code=303)


# -- helpers ---------------------------------------------------------------------------------------


def _render_article(found: Article, form: FeedbackForm):
    staff = queries.is_staff(viewer())
    return render_template(
        "kb/article.html",
        article=found,
        translations=queries.translations(found, viewer()),
        form=form,
        votes=queries.feedback_counts(found.id) if staff else None,
        linked=links.tickets_of_article(found, viewer()) if staff else [],
        link_labels=links.RELATION_LABELS,
        staff=staff,
    )


def _count_view(found: Article) -> None:
    if queries.is_staff(viewer()):
        return  # editors re-reading their own work are not readers
    seen = session.get(SEEN_KEY, [])
    if found.id in seen:
        return
    activity.record_view(found)
    db.session.commit()
    session[SEEN_KEY] = [*seen, found.id][-50:]


def _voter() -> str:
    if current_user.is_authenticated:
        return f"u{current_user.id}"
    if VOTER_KEY not in session:
        session[VOTER_KEY] = activity.new_visit_token()
    return "s" + session[VOTER_KEY]
