"""The customer portal: the customer's and their organisation's tickets, filing one, following it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.extensions import db, login_manager
from kb import activity as kb_activity
from kb import visits as kb_visits
from support import queries, services
from support.attachments import AttachmentRejected
from support.forms.portal import ATTACH_AGAIN, NewTicketForm, ReplyForm, StatusForm
from support.labels import DETAIL_LABELS, KIND_LABELS
from support.models import DONE_STATUSES, OPEN_STATUSES, Channel, Status, Ticket

bp = Blueprint("portal", __name__, url_prefix="/portal")

# The list's status filter; an empty list means every status.
STATUS_FILTERS = {
    "all": [],
    "open": [str(s) for s in OPEN_STATUSES],
    "done": [str(s) for s in DONE_STATUSES],
}
SCOPES = ("mine", "org")


@bp.before_request
def customers_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.is_staff:
        # Staff see every ticket, internal notes included, in the queue; the portal is the customer's view.
        number = (request.view_args or {}).get("number")
        target = url_for("queue.index") + (f"/tickets/{number}" if number else "")
        return redirect(target, code=303)
    return None


@bp.get("")
def index():
    # A customer without an organisation sees only their own tickets, so "org" would be the same list.
    has_org = current_user.organisation_id is not None
    scope = request.args.get("scope", "mine")
    if scope not in SCOPES or not has_org:
        scope = "mine"
    state = request.args.get("status", "all")
    if state not in STATUS_FILTERS:
        state = "all"
    filters = queries.TicketFilter(
        statuses=STATUS_FILTERS[state],
        requester_id=current_user.id if scope == "mine" else None,
    )
    page = queries.ticket_page(
        current_user,
        filters,
        sort="updated",
        cursor=request.args.get("cursor"),
        limit=current_app.config.get("PORTAL_PAGE_SIZE", 25),
    )
    return render_template("portal/index.html", page=page, scope=scope, state=state, has_org=has_org)


@bp.route("/tickets/new", methods=["GET", "POST"])
def new_ticket():
    form = NewTicketForm()
    if not form.is_submitted() and request.args.get("kind") in KIND_LABELS:
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        try:
            ticket = services.open_ticket(
                requester=current_user,
                subject=form.subject.data,
                body=form.body.data,
                kind=form.kind.data,
                priority=form.priority.data,
                channel=Channel.web,
                product=form.product.data or "",
                component=form.component.data or "",
                details=form.details(),
                attachments=form.uploads,
            )
        except (AttachmentRejected, services.TicketError) as exc:
            _show_error(form, exc)
        else:
            # Suggested articles shown in this visit did not keep this ticket from being filed.
            kb_activity.ticket_filed(kb_visits.end(), ticket.number)
            db.session.commit()
            flash(_("Thank you: ticket #%(number)s is filed. We will answer here.", number=ticket.number))
            return redirect(url_for(".ticket", number=ticket.number), code=303)
    if not form.is_submitted():
        return render_template("portal/new_ticket.html", form=form, reattach=[])
    return render_template("portal/new_ticket.html", form=form, reattach=_lost_files(form)), 400


@bp.get("/tickets/<int:number>")
def ticket(number: int):
    return _render_ticket(_ticket_or_404(number))


@bp.post("/tickets/<int:number>/replies")
def reply(number: int):
    ticket = _ticket_or_404(number)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.add_message(
                ticket,
                author=current_user,
                body=form.body.data or "",
                channel=Channel.web,
                attachments=form.uploads,
            )
        except (AttachmentRejected, services.TicketError) as exc:
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Your reply was sent."))
            return redirect(url_for(".ticket", number=number, _anchor="reply"), code=303)
    return _render_ticket(ticket, reply_form=form, reattach=_lost_files(form)), 400


@bp.post("/tickets/<int:number>/status")
def set_status(number: int):
    ticket = _ticket_or_404(number)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.change_status(ticket, form.status.data, actor=current_user)
        except services.TicketError as exc:
            _show_error(form, exc)
        else:
            db.session.commit()
            if form.status.data == Status.closed:
                flash(_("Glad it is solved. The ticket is closed; you can reopen it if the problem returns."))
            else:
                flash(_("The ticket is open again. Tell us what still goes wrong."))
            return redirect(url_for(".ticket", number=number), code=303)
    return _render_ticket(ticket, status_form=form), 400


# -- helpers ---------------------------------------------------------------------------------------


def _ticket_or_404(number: int) -> Ticket:
    # Another organisation's ticket answers exactly like a missing one: its number reveals nothing.
    ticket = queries.ticket_for(current_user, number)
    if ticket is None:
        abort(404)
    return ticket


def _render_ticket(
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    status_form: StatusForm | None = None,
    reattach: list[str] | None = None,
):
    details = [(key, ticket.details[key]) for key in DETAIL_LABELS if ticket.details.get(key)]
    return render_template(
        "portal/ticket.html",
        ticket=ticket,
        details=details,
        messages=queries.thread(ticket, include_internal=False),
        reply_form=reply_form or ReplyForm(formdata=None),
        status_form=status_form or StatusForm(formdata=None),
        reattach=reattach or [],
    )


def _show_error(form, exc: Exception) -> None:
    """Put a service's refusal next to the field it names; the form keeps what was typed."""
    # A service may have flushed part of the change before refusing; none of it may be committed.
    db.session.rollback()
    if isinstance(exc, AttachmentRejected):
        form.attachments.errors = [*form.attachments.errors, f"{exc} {ATTACH_AGAIN}"]
        return
    name = getattr(exc, "field", None)
    target = getattr(form, name, None) if name else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def _lost_files(form) -> list[str]:
    """Names of files that came with a refused form: the browser will not send them again by itself."""
    if form.attachments.errors:
        return []  # the error next to the field already asks for them again
    return [upload.filename for upload in form.uploads]
