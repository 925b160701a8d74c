"""The knowledge panel of the staff ticket page: search and link articles, insert a link into the
reply, write an article from the ticket.

The ticket page includes `kb/_ticket_panel.html`, which loads `/kb/tickets/<number>/panel` with htmx;
without JavaScript the same URL is a page of its own. Writes redirect back to the ticket page (303),
or answer with the refreshed panel when htmx posted them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import role_required
from core.db import writes_on_get
from core.extensions import db
from core.models import User
from kb import activity, queries
from kb.forms import LinkForm, PostForm
from support import links
from support import queries as support_queries
from support.models import Ticket
from support.services import TicketError

bp = Blueprint("kb_tickets", __name__, url_prefix="/kb/tickets")


@bp.before_request
@role_required("staff")
def _staff_only():
    """Linking knowledge is the support team's work."""


def _me() -> User:
    return current_user._get_current_object()


def _ticket_or_404(number: int) -> Ticket:
    ticket = support_queries.ticket_for(_me(), number)
    if ticket is None:
        abort(404)
    return ticket


def _htmx() -> bool:
    return "HX-Request" in request.headers


def _panel(ticket: Ticket, *, form: LinkForm | None = None, status: int = 200):
    context = {
        "ticket": ticket,
        "links": links.links_of_ticket(ticket, _me()),
        "labels": links.RELATION_LABELS,
        "form": form or LinkForm(formdata=None),
        "post": PostForm(formdata=None),
        "q": "",
        "found": None,
    }
    if not _htmx():
        return render_template("kb/panel_page.html", **context), status
    html = render_template("kb/_panel.html", **context)
    if session.get("_flashes"):  # what the action just did, shown where the page keeps its messages
        html += render_template("_flashes_oob.html")
    return html, status


@bp.get("/<int:number>/panel")
def panel(number: int):
    ticket = _ticket_or_404(number)
    if not _htmx() and request.args.get("q"):
        return search(number)
    return _panel(ticket)


@bp.get("/<int:number>/search")
@writes_on_get
def search(number: int):
    ticket = _ticket_or_404(number)
    text = (request.args.get("q") or "").strip()[:500]
    found = queries.search_articles(text, viewer=_me(), per_page=8) if text else None
    if found is not None and activity.log_search(text, hits=found.total, source="ticket", user=_me()):
        db.session.commit()
    context = {"ticket": ticket, "found": found, "q": text, "post": PostForm(formdata=None)}
    if _htmx():
        return render_template("kb/_panel_results.html", **context)
    return render_template(
        "kb/panel_page.html",
        links=links.links_of_ticket(ticket, _me()),
        labels=links.RELATION_LABELS,
        form=LinkForm(formdata=None),
        **context,
    )


@bp.post("/<int:number>/links")
def link(number: int):
    ticket = _ticket_or_404(number)
    form = LinkForm()
    if form.validate():
        article = queries.article_for(_me(), form.article_id.data)
        if article is None:
            form.article_id.errors = [_("There is no such article.")]
        else:
            try:
                _link, new = links.link_article(ticket, article, relation=form.relation.data, actor=_me())
            except TicketError as exc:
                db.session.rollback()
                form.relation.errors = [str(exc)]
            else:
                db.session.commit()
                flash(
                    _("Linked: %(title)s", title=article.title) if new else _("It was already linked."),
                    "success",
                )
                if _htmx():
                    return _panel(ticket)
                return redirect(url_for("queue.ticket", number=number, _anchor="knowledge"), code=303)
    return _panel(ticket, form=form, status=400)


@bp.post("/<int:number>/links/<int:link_id>/delete")
def unlink(number: int, link_id: int):
    ticket = _ticket_or_404(number)
    found = links.link_of_ticket(ticket, link_id)
    if found is None:
        abort(404)
    if PostForm().validate():
        links.unlink_article(found, actor=_me())
        db.session.commit()
        flash(_("The article is no longer linked to this ticket."), "success")
    if _htmx():
        return _panel(ticket)
    return redirect(url_for("queue.ticket", number=number, _anchor="knowledge"), code=303)


@bp.post("/<int:number>/draft")
def draft(number: int):
    """Write an article from this ticket: a draft with its problem and resolution, linked created_from."""
    ticket = _ticket_or_404(number)
    if not PostForm().validate():
        abort(400)
    article = links.draft_from_ticket(ticket, author=_me())
    db.session.commit()
    flash(_("A draft was written from ticket #%(number)s; edit it and publish.", number=number), "success")
    target = url_for("kb_editor.edit_article", article_id=article.id)
    if _htmx():
        response = redirect(target, code=303)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)
