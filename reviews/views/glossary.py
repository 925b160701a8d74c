"""The glossary page (`/reviews/glossary`): the team keeps the bilingual product vocabulary that
recurring-problem detection maps both languages onto. Staff only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core.auth import role_required
from core.extensions import db
from core.forms import add_error
from reviews import glossary
from reviews.errors import ReviewError
from reviews.forms import ConceptForm
from reviews.models import GlossaryConcept

bp = Blueprint("glossary", __name__, url_prefix="/reviews/glossary")


@bp.before_request
@role_required("staff")
def _staff_only():
    """The vocabulary is the support team's."""


def _rows() -> list[GlossaryConcept]:
    return list(
        db.session.scalars(sa.select(GlossaryConcept).order_by(GlossaryConcept.kind, GlossaryConcept.code))
    )


def _render(*, new: ConceptForm | None = None, editing: GlossaryConcept | None = None, form=None, status=200):
    html = render_template(
        "reviews/glossary.html",
        rows=_rows(),
        new=new or ConceptForm(formdata=None, prefix="new"),
        editing=editing,
        form=form,
        KIND_LABELS=glossary.KIND_LABELS,
    )
    return html, status


@bp.get("")
def index():
    return _render()


@bp.get("/<int:concept_id>")
def edit(concept_id: int):
    concept = _concept_or_404(concept_id)
    form = ConceptForm(formdata=None, obj=concept, prefix="edit")
    return _render(editing=concept, form=form)


def _concept_or_404(concept_id: int) -> GlossaryConcept:
    concept = db.session.get(GlossaryConcept, concept_id)
    if concept is None:
        abort(404)
    return concept


def _save(concept: GlossaryConcept | None, form: ConceptForm):
    return glossary.save_concept(
        concept,
        code=form.code.data,
        kind=form.kind.data,
        label_en=form.label_en.data,
        label_zh=form.label_zh.data,
        terms_en=form.terms_en.data or "",
        terms_zh=form.terms_zh.data or "",
    )


@bp.post("")
def create():
    form = ConceptForm(prefix="new")
    if form.validate():
        try:
            concept = _save(None, form)
        except ReviewError as exc:
            db.session.rollback()
            add_error(form, exc)
        else:
            db.session.commit()
            flash(_("%(code)s added.", code=concept.code), "success")
            return redirect(url_for(".index", _anchor=f"concept-{concept.id}"), code=303)
    return _render(new=form, status=400)


@bp.post("/<int:concept_id>")
def update(concept_id: int):
    concept = _concept_or_404(concept_id)
    form = ConceptForm(prefix="edit")
    if form.validate():
        try:
            _save(concept, form)
        except ReviewError as exc:
            db.session.rollback()
            add_error(form, exc)
        else:
            db.session.commit()
            flash(_("%(code)s saved.", code=concept.code), "success")
            return redirect(url_for(".index", _anchor=f"concept-{concept.id}"), code=303)
    return _render(editing=concept, form=form, status=400)


@bp.post("/<int:concept_id>/delete")
def delete(concept_id: int):
    concept = _concept_or_404(concept_id)
    code = concept.code
    glossary.delete_concept(concept)
    db.session.commit()
    flash(_("%(code)s deleted.", code=code), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/seed")
def seed():
    added = glossary.seed_defaults()
    db.session.commit()
    flash(_("%(count)s concepts of the default vocabulary added.", count=added), "success")
    return redirect(url_for(".index"), code=303)
