"""Writing the knowledge base (staff): the editors' list, new and edit forms, revisions with their diff
and restore, translations, and the synonym list that search uses."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask import flash as _flash
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import role_required
from core.extensions import db
from core.models import User
from kb import diff, queries, services
from kb.forms import STATUS_LABELS, ArticleForm, PostForm, SynonymForm
from kb.models import Article, Synonym

bp = Blueprint("kb_editor", __name__, url_prefix="/kb")


@bp.before_request
@role_required("staff")
def _staff_only():
    """Engineers and admins write articles."""


@bp.context_processor
def _labels():
    return {"STATUS_LABELS": STATUS_LABELS}


def _me() -> User:
    return current_user._get_current_object()


def _article_or_404(article_id: int) -> Article:
    article = queries.article_for(_me(), article_id)
    if article is None:
        abort(404)
    return article


def _render_form(form: ArticleForm, article: Article | None, *, conflict: bool = False, status: int = 200):
    source = None
    if form.translation_of.data and str(form.translation_of.data).isdigit():
        source = queries.article_for(_me(), int(form.translation_of.data))
    html = render_template(
        "kb/form.html",
        form=form,
        article=article,
        source=source,
        conflict=conflict,
        categories=queries.categories(),
        products=queries.products(),
    )
    return html, status


@bp.get("/manage")
def manage():
    status = request.args.get("status") or None
    if status not in (None, *STATUS_LABELS):
        status = None
    page = request.args.get("page", "1")
    listing = queries.article_list(
        _me(),
        status=status,
        text=(request.args.get("q") or "").strip()[:200] or None,
        page=int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1,
        per_page=50,
    )
    return render_template("kb/manage.html", listing=listing, status=status, q=request.args.get("q", ""))


@bp.route("/articles/new", methods=["GET", "POST"])
def new_article():
    form = ArticleForm()
    if not form.is_submitted():
        source_id = request.args.get("translation_of", "")
        source = (
            queries.article_for(_me(), int(source_id))
            if source_id.isdigit() and len(source_id) < 10
            else None
        )
        if source is not None:
            form.translation_of.data = str(source.id)
            form.language.data = "en" if source.language == "zh" else "zh"
            form.category.data = source.category.name if source.category else ""
            form.product.data, form.tags.data = source.product, source.tags
            form.visibility.data = source.visibility
        return _render_form(form, None)
    if form.validate():
        source = None
        if form.translation_of.data:
            source = (
                queries.article_for(_me(), int(form.translation_of.data))
                if form.translation_of.data.isdigit()
                else None
            )
        try:
            article = services.create_article(
                author=_me(), translation_of=source, note=form.note.data or "", **form.content()
            )
        except services.ArticleError as exc:
            db.session.rollback()
            _add_error(form, exc)
        else:
            db.session.commit()
            _flash(_("The article is saved."), "success")
            return redirect(url_for("kb.article", ref=article.ref), code=303)
    return _render_form(form, None, status=400)


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
def edit_article(article_id: int):
    article = _article_or_404(article_id)
    if request.method != "POST":
        form = ArticleForm(formdata=None, data={**services.values_of(article), "revision": article.revision})
        return _render_form(form, article)
    form = ArticleForm()
    if not form.validate():
        return _render_form(form, article, status=400)
    expected = int(form.revision.data) if (form.revision.data or "").isdigit() else None
    try:
        changed = services.update_article(
            article, editor=_me(), expected_revision=expected, note=form.note.data or "", **form.content()
        )
    except services.StaleArticle:
        db.session.rollback()
        # Keep what the editor typed; the next submit is made against the revision now on screen.
        form.revision.data = str(article.revision)
        return _render_form(form, article, conflict=True, status=409)
    except services.ArticleError as exc:
        db.session.rollback()
        _add_error(form, exc)
        return _render_form(form, article, status=400)
    db.session.commit()
    _flash(
        _("The article is saved.") if changed else _("Nothing was changed."), "success" if changed else "info"
    )
    return redirect(url_for("kb.article", ref=article.ref), code=303)


@bp.get("/<int:article_id>/history")
def history(article_id: int):
    article = _article_or_404(article_id)
    return render_template("kb/history.html", article=article, revisions=list(reversed(article.revisions)))


@bp.get("/<int:article_id>/revisions/<int:number>")
def revision(article_id: int, number: int):
    article = _article_or_404(article_id)
    shown = queries.revision(article, number)
    if shown is None:
        abort(404)
    against_arg = request.args.get("against", "")
    against_number = int(against_arg) if against_arg.isdigit() and len(against_arg) < 9 else number - 1
    against = queries.revision(article, against_number) if against_number != number else None
    lines = diff.lines(against.body if against else "", shown.body)
    fields = ("title", "language", "status", "visibility", "category_name", "product", "tags", "slug")
    return render_template(
        "kb/revision.html",
        article=article,
        shown=shown,
        against=against,
        lines=lines,
        fields=diff.changed_fields(against, shown, fields) if against else [],
        restore=PostForm(formdata=None),
    )


@bp.post("/<int:article_id>/revisions/<int:number>/restore")
def restore(article_id: int, number: int):
    article = _article_or_404(article_id)
    form = PostForm()
    if not form.validate():
        abort(400)
    try:
        services.restore_revision(article, number, editor=_me())
    except services.ArticleError as exc:
        db.session.rollback()
        _flash(str(exc), "warning")
        return redirect(url_for(".revision", article_id=article_id, number=number), code=303)
    db.session.commit()
    _flash(_("Revision %(number)s is restored as a new revision.", number=number), "success")
    return redirect(url_for(".history", article_id=article_id), code=303)


# -- synonyms --------------------------------------------------------------------------------------


@bp.route("/synonyms", methods=["GET", "POST"])
def synonyms():
    form = SynonymForm(prefix="new")
    if form.is_submitted():
        if form.validate():
            try:
                services.save_synonyms(None, form.terms.data, editor=_me())
            except services.ArticleError as exc:
                db.session.rollback()
                form.terms.errors = [*form.terms.errors, str(exc)]
            else:
                db.session.commit()
                _flash(_("The synonyms are saved; searches use them from now on."), "success")
                return redirect(url_for(".synonyms"), code=303)
        return _render_synonyms(form), 400
    return _render_synonyms(form)


@bp.post("/synonyms/<int:group_id>")
def update_synonyms(group_id: int):
    group = db.session.get(Synonym, group_id) or abort(404)
    form = SynonymForm(prefix=f"s{group_id}")
    if form.validate():
        try:
            services.save_synonyms(group, form.terms.data, editor=_me())
        except services.ArticleError as exc:
            db.session.rollback()
            form.terms.errors = [*form.terms.errors, str(exc)]
        else:
            db.session.commit()
            _flash(_("The synonyms are saved; searches use them from now on."), "success")
            return redirect(url_for(".synonyms"), code=303)
    return _render_synonyms(SynonymForm(prefix="new", formdata=None), failed=(group_id, form)), 400


@bp.post("/synonyms/<int:group_id>/delete")
def delete_synonyms(group_id: int):
    group = db.session.get(Synonym, group_id) or abort(404)
    if PostForm().validate():
        services.delete_synonyms(group)
        db.session.commit()
        _flash(_("The group is deleted."), "success")
    return redirect(url_for(".synonyms"), code=303)


def _render_synonyms(form: SynonymForm, failed: tuple[int, SynonymForm] | None = None):
    groups = queries.synonyms()
    forms = {g.id: SynonymForm(prefix=f"s{g.id}", formdata=None, data={"terms": g.terms}) for g in groups}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "kb/synonyms.html", form=form, groups=groups, forms=forms, delete=PostForm(formdata=None)
    )


def _add_error(form: ArticleForm, exc: services.ArticleError) -> None:
    field = getattr(form, exc.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))
