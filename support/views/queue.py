"""The engineer queue (`/queue`) and the staff ticket page (`/queue/tickets/<number>`). Staff only."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from core.auth import role_required
from core.extensions import db
from core.models import User
from support import queries, services
from support.attachments import AttachmentRejected, Upload
from support.forms.queue import (
    DEFAULT_STATUSES,
    ClaimForm,
    MergeForm,
    ReplyForm,
)
from support.labels import STATUS_LABELS
from support.models import Channel, Ticket
from support.views.queue_pages import (
    add_error,
    bulk_form,
    properties_form,
    queue_context,
    render_ticket,
    show_conflict,
)

bp = Blueprint("queue", __name__, url_prefix="/queue")

CONFLICT_MESSAGE = _l(
    "This ticket was changed by someone else while you were editing: "
    "review the current values and submit again."
)


@bp.before_request
@role_required("staff")
def _staff_only():
    """Every page here is for engineers and admins; the decorator answers everyone else."""


@bp.context_processor
def _labels():
    return {
        "DEFAULT_STATUSES": DEFAULT_STATUSES,
        "CONFLICT_MESSAGE": CONFLICT_MESSAGE,
    }


# -- the queue -------------------------------------------------------------------------------------


@bp.get("")
def index():
    context = queue_context(request.args)
    # htmx asks for the results only; its history restore asks for the whole page.
    html = render_template("queue/_results.html" if _htmx() else "queue/index.html", **context)
    response = make_response(html, 200 if context["page"] is not None else 400)
    response.vary.add("HX-Request")
    return response


def _htmx() -> bool:
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def _queue_results(status: int = 200):
    """The queue's results for the filters in the query string, with the flashes out of band: what an
    htmx action in the queue (claim, bulk change, quick reply) answers, so the engineer keeps their place."""
    html = render_template("queue/_results.html", flashes_out_of_band=True, **queue_context(request.args))
    response = make_response(html, status)
    response.headers["HX-Retarget"] = "#queue-results"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def _me() -> User:
    # Services compare users by identity; the proxy itself is not the User row.
    return current_user._get_current_object()


def _engineer(choice: str) -> User | None:
    """The User a "me" / "none" / id choice names ("none" and unknown ids give None)."""
    if choice == "me":
        return _me()
    return db.session.get(User, int(choice)) if choice.isdigit() else None


@bp.post("/bulk")
def bulk():
    form = bulk_form(queries.staff_users())
    back = url_for(".index", **request.args.to_dict(flat=False))
    changes: dict = {}
    if form.validate():
        if form.status.data:
            changes["status"] = form.status.data
        if form.assignee.data:
            changes["assignee"] = _engineer(form.assignee.data)
    if form.errors:
        flash(_("The change could not be applied; reload the queue and try again."), "error")
    elif not form.tickets.data:
        flash(_("Tick the tickets you want to change first."), "warning")
    elif not changes:
        flash(_("Choose a status or an assignee to apply to the selected tickets."), "warning")
    else:
        tickets = [t for n in dict.fromkeys(form.tickets.data) if (t := queries.ticket_for(current_user, n))]
        refused = services.bulk_update(tickets, actor=_me(), **changes)
        db.session.commit()
        done = len(tickets) - len(refused)
        flash(ngettext("%(num)d ticket updated.", "%(num)d tickets updated.", done), "success")
        for number, reason in refused.items():
            flash(_("#%(number)s was not changed: %(reason)s", number=number, reason=reason), "error")
    if _htmx():
        return _queue_results()
    return redirect(back, code=303)


@bp.post("/tickets/<int:number>/claim")
def claim(number: int):
    ticket = _ticket_or_404(number)
    form = ClaimForm()
    if form.return_to.data == "queue":
        back = url_for(".index", **request.args.to_dict(flat=False))
    else:
        back = url_for(".ticket", number=number)
    seen = form.seen_assignee.data
    taken = ticket.assignee is not None and ticket.assignee_id != current_user.id
    if seen is not None and taken and seen != str(ticket.assignee_id):
        flash(
            _(
                "#%(number)s was assigned to %(name)s in the meantime; nothing was changed.",
                number=number,
                name=ticket.assignee.display_name,
            ),
            "warning",
        )
    elif ticket.assignee_id == current_user.id:
        flash(_("#%(number)s is already yours.", number=number), "info")
    else:
        try:
            services.assign(ticket, _me(), actor=_me())
            db.session.commit()
            flash(_("#%(number)s is now assigned to you.", number=number), "success")
        except (services.TicketError, StaleDataError) as exc:
            db.session.rollback()
            flash(str(exc) if isinstance(exc, services.TicketError) else str(CONFLICT_MESSAGE), "error")
    if _htmx() and form.return_to.data == "queue":
        return _queue_results()
    return redirect(back, code=303)


# -- the ticket page -------------------------------------------------------------------------------


def _ticket_or_404(number: int) -> Ticket:
    ticket = queries.ticket_for(current_user, number)
    if ticket is None:
        abort(404)
    return ticket


@bp.get("/tickets/<int:number>")
def ticket(number: int):
    ticket = _ticket_or_404(number)
    return render_ticket(ticket, queries.staff_users())


@bp.get("/tickets/<int:number>/quick-reply")
def quick_reply(number: int):
    """The queue's reply-in-place form (the r key), for htmx to put under the ticket's row."""
    ticket = _ticket_or_404(number)
    form = ReplyForm(formdata=None, prefix="reply", data={"version": ticket.version, "return_to": "queue"})
    return _quick_reply(ticket, form)


def _quick_reply(ticket: Ticket, form: ReplyForm, status: int = 200):
    page_args = request.args.to_dict(flat=False)
    return render_template("queue/_quick_reply.html", ticket=ticket, reply=form, page_args=page_args), status


@bp.post("/tickets/<int:number>/reply")
def reply(number: int):
    ticket = _ticket_or_404(number)
    staff = queries.staff_users()
    form = ReplyForm(prefix="reply")
    if not form.validate():
        return _reply_refused(ticket, staff, form)
    status = form.status.data or None
    uploads = [
        Upload(filename=f.filename, data=f.read(), content_type=f.mimetype or "")
        for f in request.files.getlist(form.attachments.name)
        if f and f.filename
    ]
    # A reply never undoes anyone's work, so it may go out from an outdated page; a status chosen
    # there might (a colleague may have just resolved the ticket), so that waits for a second look.
    if status and form.version.data != ticket.version:
        _forget_uploads(form, uploads)
        return _reply_refused(ticket, staff, form, conflict=True)
    try:
        services.add_message(
            ticket,
            author=_me(),
            body=form.body.data or "",
            internal=bool(form.note.data),
            channel=Channel.web,
            attachments=uploads,
        )
        if status:
            services.update_ticket(ticket, actor=_me(), status=status)
        db.session.commit()
    except StaleDataError:
        _forget_uploads(form, uploads)
        return _reply_refused(ticket, staff, form, conflict=True)
    except AttachmentRejected as exc:
        db.session.rollback()
        add_error(form.attachments, str(exc))
        return _reply_refused(ticket, staff, form)
    except services.TicketError as exc:
        db.session.rollback()
        add_error(form.status if exc.field == "status" else form.body, str(exc))
        return _reply_refused(ticket, staff, form)
    if _in_queue(form):
        if form.note.data:
            flash(_("Internal note added to #%(number)s.", number=number), "success")
        else:
            flash(_("Reply sent on #%(number)s.", number=number), "success")
        return _queue_results()
    flash(_("Internal note added.") if form.note.data else _("Reply sent."), "success")
    return redirect(url_for(".ticket", number=number), code=303)


def _in_queue(form: ReplyForm) -> bool:
    """Whether the reply came from the queue's reply-in-place form (which htmx sends)."""
    return _htmx() and form.return_to.data == "queue"


def _reply_refused(ticket: Ticket, staff: list[User], form: ReplyForm, *, conflict: bool = False):
    """The reply form again, with what was typed and why it was refused: in place in the queue, or on
    the ticket page."""
    if not _in_queue(form):
        if conflict:
            return show_conflict(ticket, staff, reply=form)
        return render_ticket(ticket, staff, reply=form, status=400)
    if not conflict:
        return _quick_reply(ticket, form, 400)
    db.session.rollback()
    form.version.raw_data = None
    form.version.data = ticket.version
    add_error(
        form.status,
        _(
            "Meanwhile the status became %(status)s: send again to set yours.",
            status=STATUS_LABELS.get(ticket.status, ticket.status),
        ),
    )
    return _quick_reply(ticket, form, 409)


def _forget_uploads(form: ReplyForm, uploads: list[Upload]) -> None:
    # A browser cannot refill a file input: say which files have to be chosen again.
    if uploads:
        names = ", ".join(u.filename for u in uploads)
        add_error(form.attachments, _("Attach again: %(names)s", names=names))


@bp.post("/tickets/<int:number>/properties")
def properties(number: int):
    ticket = _ticket_or_404(number)
    staff = queries.staff_users()
    form = properties_form(ticket, staff, submitted=True)
    if not form.validate():
        return render_ticket(ticket, staff, props=form, status=400)
    try:
        changed = services.update_ticket(
            ticket,
            actor=_me(),
            expected_version=form.version.data,
            status=form.status.data,
            priority=form.priority.data,
            assignee=_engineer(form.assignee.data or ""),
            kind=form.kind.data,
            product=form.product.data or "",
            component=form.component.data or "",
        )
        db.session.commit()
    except (services.StaleTicket, StaleDataError):
        return show_conflict(ticket, staff, props=form)
    except services.TicketError as exc:
        db.session.rollback()
        add_error(form._fields.get(exc.field, form.status), str(exc))
        return render_ticket(ticket, staff, props=form, status=400)
    flash(_("Changes saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
    return redirect(url_for(".ticket", number=number), code=303)


@bp.post("/tickets/<int:number>/merge")
def merge(number: int):
    ticket = _ticket_or_404(number)
    form = MergeForm(prefix="merge")
    if form.validate():
        target = queries.ticket_for(current_user, form.target.data)
        if target is None:
            add_error(form.target, _("There is no ticket #%(number)s.", number=form.target.data))
        else:
            try:
                services.merge_tickets(ticket, target, actor=_me())
                db.session.commit()
            except services.TicketError as exc:
                db.session.rollback()
                add_error(form.target, str(exc))
            else:
                flash(_("Merged into #%(number)s.", number=target.id), "success")
                return redirect(url_for(".ticket", number=number), code=303)
    return render_ticket(ticket, queries.staff_users(), merge=form, status=400)
