"""The engineer queue (`/queue`) and the staff ticket page (`/queue/tickets/<number>`). Staff only."""

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
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from core.auth import role_required
from core.db import utcnow
from core.extensions import db
from core.models import User
from sla import queries as sla_queries
from support import queries, services
from support.attachments import AttachmentRejected, Upload
from support.forms.queue import (
    DEFAULT_STATUSES,
    BulkForm,
    ClaimForm,
    FilterForm,
    MergeForm,
    PropertiesForm,
    ReplyForm,
    choices,
)
from support.models import Channel, Ticket

bp = Blueprint("queue", __name__, url_prefix="/queue")

TIER_LABELS = {"basic": _l("Basic"), "standard": _l("Standard"), "premium": _l("Premium")}
CHANNEL_LABELS = {"web": _l("Web portal"), "email": _l("Email"), "api": _l("API")}
FIELD_LABELS = {
    "subject": _l("subject"),
    "kind": _l("kind"),
    "priority": _l("priority"),
    "product": _l("product"),
    "component": _l("component"),
}
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
        "TIER_LABELS": TIER_LABELS,
        "CHANNEL_LABELS": CHANNEL_LABELS,
        "FIELD_LABELS": FIELD_LABELS,
        "DEFAULT_STATUSES": DEFAULT_STATUSES,
        "CONFLICT_MESSAGE": CONFLICT_MESSAGE,
    }


# -- the queue -------------------------------------------------------------------------------------


@bp.get("")
def index():
    staff = queries.staff_users()
    form = FilterForm(formdata=request.args)
    teams = {f"team:{team.id}": _("Team %(name)s", name=team.name) for team in queries.teams()}
    form.assignee.choices = choices(
        {"me": _("Me"), "none": _("Unassigned"), **teams, **_people(staff)}, _("Anyone")
    )
    organisations = {str(org.id): org.name for org in queries.organisations()}
    form.organisation.choices = choices(organisations, _("Any organisation"))
    form.product.choices = choices({p: p for p in queries.products()}, _("Any product"))
    page = None
    if form.validate():
        page = queries.ticket_page(
            current_user,
            _ticket_filter(form),
            sort=form.sort.data or "sla_due",
            cursor=request.args.get("cursor"),
            limit=current_app.config["QUEUE_PAGE_SIZE"],
        )
    filter_args = request.args.to_dict(flat=False)
    filter_args.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "bulk": _bulk_form(staff, formdata=None),
        "filter_args": filter_args,
        "page_args": request.args.to_dict(flat=False),
        "filtered": any(key != "sort" for key in filter_args),
        "sla_badges": sla_queries.queue_badges(page.tickets, now=utcnow()) if page else {},
    }
    # htmx asks for the results only; its history restore asks for the whole page.
    partial = "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers
    html = render_template("queue/_results.html" if partial else "queue/index.html", **context)
    response = make_response(html, 200 if page is not None else 400)
    response.vary.add("HX-Request")
    return response


def _ticket_filter(form: FilterForm) -> queries.TicketFilter:
    return queries.TicketFilter(
        statuses=form.statuses(),
        kind=form.kind.data or None,
        priority=form.priority.data or None,
        assignee=form.assignee.data or None,
        organisation_id=int(form.organisation.data) if form.organisation.data else None,
        product=form.product.data or None,
        text=(form.q.data or "").strip() or None,
    )


def _people(staff: list[User]) -> dict[str, str]:
    return {str(user.id): user.display_name for user in staff}


def _bulk_form(staff: list[User], **kwargs) -> BulkForm:
    # Prefixed: the filter form on the same page has fields called status and assignee too.
    form = BulkForm(prefix="bulk", **kwargs)
    form.assignee.choices = choices(
        {"me": _("Assign to me"), "none": _("Unassign"), **_people(staff)}, _("Keep assignee")
    )
    return form


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
    form = _bulk_form(queries.staff_users())
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
    return redirect(back, code=303)


# -- the ticket page -------------------------------------------------------------------------------


def _ticket_or_404(number: int) -> Ticket:
    ticket = queries.ticket_for(current_user, number)
    if ticket is None:
        abort(404)
    return ticket


def _current_values(ticket: Ticket) -> dict:
    return {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": str(ticket.assignee_id or ""),
        "kind": ticket.kind,
        "product": ticket.product,
        "component": ticket.component,
        "version": ticket.version,
    }


def _properties_form(ticket: Ticket, staff: list[User], *, submitted: bool) -> PropertiesForm:
    if submitted:
        form = PropertiesForm(prefix="props")
    else:
        form = PropertiesForm(formdata=None, prefix="props", data=_current_values(ticket))
    people = _people(staff)
    # An engineer who left stays selectable on their old tickets, or saving would silently unassign.
    if ticket.assignee is not None:
        people.setdefault(str(ticket.assignee_id), ticket.assignee.display_name)
    form.assignee.choices = choices(people, _("Unassigned"))
    return form


def _render_ticket(
    ticket: Ticket,
    staff: list[User],
    *,
    reply: ReplyForm | None = None,
    props: PropertiesForm | None = None,
    merge: MergeForm | None = None,
    conflict: bool = False,
    status: int = 200,
):
    if reply is None:
        reply = ReplyForm(formdata=None, prefix="reply", data={"version": ticket.version})
    events = queries.history(ticket)
    html = render_template(
        "queue/ticket.html",
        ticket=ticket,
        messages=queries.thread(ticket, include_internal=True),
        events=events,
        sla=sla_queries.ticket_sla(ticket, now=utcnow(), events=events),
        reply=reply,
        props=props or _properties_form(ticket, staff, submitted=False),
        merge=merge or MergeForm(formdata=None, prefix="merge"),
        current=_current_values(ticket),
        conflict=conflict,
    )
    return html, status


def _conflict(ticket: Ticket, staff: list[User], **forms):
    """Show the ticket as it is now, keeping what the user typed, ready to be submitted again."""
    db.session.rollback()
    for form in forms.values():
        # The next submit is made against the values now on screen, so it carries their version.
        form.version.raw_data = None
        form.version.data = ticket.version
    return _render_ticket(ticket, staff, conflict=True, status=409, **forms)


def _add_error(field, message: str) -> None:
    """Show `message` next to `field` (after validation, `errors` may be a tuple)."""
    field.errors = [*field.errors, message]


@bp.get("/tickets/<int:number>")
def ticket(number: int):
    ticket = _ticket_or_404(number)
    return _render_ticket(ticket, queries.staff_users())


@bp.post("/tickets/<int:number>/reply")
def reply(number: int):
    ticket = _ticket_or_404(number)
    staff = queries.staff_users()
    form = ReplyForm(prefix="reply")
    if not form.validate():
        return _render_ticket(ticket, staff, reply=form, status=400)
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
        return _conflict(ticket, staff, reply=form)
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
        return _conflict(ticket, staff, reply=form)
    except AttachmentRejected as exc:
        db.session.rollback()
        _add_error(form.attachments, str(exc))
        return _render_ticket(ticket, staff, reply=form, status=400)
    except services.TicketError as exc:
        db.session.rollback()
        _add_error(form.status if exc.field == "status" else form.body, str(exc))
        return _render_ticket(ticket, staff, reply=form, status=400)
    flash(_("Internal note added.") if form.note.data else _("Reply sent."), "success")
    return redirect(url_for(".ticket", number=number), code=303)


def _forget_uploads(form: ReplyForm, uploads: list[Upload]) -> None:
    # A browser cannot refill a file input: say which files have to be chosen again.
    if uploads:
        names = ", ".join(u.filename for u in uploads)
        _add_error(form.attachments, _("Attach again: %(names)s", names=names))


@bp.post("/tickets/<int:number>/properties")
def properties(number: int):
    ticket = _ticket_or_404(number)
    staff = queries.staff_users()
    form = _properties_form(ticket, staff, submitted=True)
    if not form.validate():
        return _render_ticket(ticket, staff, props=form, status=400)
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
        return _conflict(ticket, staff, props=form)
    except services.TicketError as exc:
        db.session.rollback()
        _add_error(form._fields.get(exc.field, form.status), str(exc))
        return _render_ticket(ticket, staff, props=form, status=400)
    flash(_("Changes saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
    return redirect(url_for(".ticket", number=number), code=303)


@bp.post("/tickets/<int:number>/merge")
def merge(number: int):
    ticket = _ticket_or_404(number)
    form = MergeForm(prefix="merge")
    if form.validate():
        target = queries.ticket_for(current_user, form.target.data)
        if target is None:
            _add_error(form.target, _("There is no ticket #%(number)s.", number=form.target.data))
        else:
            try:
                services.merge_tickets(ticket, target, actor=_me())
                db.session.commit()
            except services.TicketError as exc:
                db.session.rollback()
                _add_error(form.target, str(exc))
            else:
                flash(_("Merged into #%(number)s.", number=target.id), "success")
                return redirect(url_for(".ticket", number=number), code=303)
    return _render_ticket(ticket, queries.staff_users(), merge=form, status=400)
