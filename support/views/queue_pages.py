"""What the queue and the staff ticket page show: the queue's filtered page with its SLA badges and what
needs attention first, and the ticket page with its forms. Helpers of `support.views.queue`."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from core.db import utcnow
from core.extensions import db
from core.models import User
from sla import queries as sla_queries
from support import queries
from support.forms.queue import BulkForm, FilterForm, MergeForm, PropertiesForm, ReplyForm, choices
from support.models import Ticket
from support.views.queue_rows import attention_counts, queue_rows


def queue_context(args) -> dict:
    """Everything the queue page and its results need, for the filters in `args` (a query string)."""
    staff = queries.staff_users()
    form = FilterForm(formdata=args)
    teams = {f"team:{team.id}": _("Team %(name)s", name=team.name) for team in queries.teams()}
    form.assignee.choices = choices(
        {"me": _("Me"), "none": _("Unassigned"), **teams, **people(staff)}, _("Anyone")
    )
    organisations = {str(org_id): name for org_id, name in queries.organisation_names()}
    form.organisation.choices = choices(organisations, _("Any organisation"))
    form.product.choices = choices({p: p for p in queries.products()}, _("Any product"))
    page = None
    if form.validate():
        page = queries.ticket_page(
            current_user,
            _ticket_filter(form),
            sort=form.sort.data or "sla_due",
            cursor=args.get("cursor"),
            limit=current_app.config["QUEUE_PAGE_SIZE"],
        )
    filter_args = args.to_dict(flat=False)
    filter_args.pop("cursor", None)
    page_args = args.to_dict(flat=False)
    rows = []
    if page is not None:
        now = utcnow()
        badges = sla_queries.queue_badges(page.tickets, now=now)
        rows = queue_rows(
            page.tickets,
            badges=badges,
            attention=_attention(page.tickets, badges),
            page_args=page_args,
            viewer_id=current_user.id,
            now=now,
        )
    return {
        "form": form,
        "page": page,
        "rows": rows,
        "counts": attention_counts(rows),
        "bulk": bulk_form(staff, formdata=None),
        "filter_args": filter_args,
        "page_args": page_args,
        "filtered": any(key != "sort" for key in filter_args),
    }


def _attention(tickets: list[Ticket], badges: dict) -> dict[int, str]:
    """{number: why it needs attention first}: a breached or nearly due SLA, else a customer's answer."""
    replied = queries.customer_replied(tickets)
    attention = {}
    for ticket in tickets:
        badge = badges.get(ticket.number)
        if badge is not None and badge.kind in ("overdue", "warning"):
            attention[ticket.number] = badge.kind
        elif ticket.number in replied:
            attention[ticket.number] = "replied"
    return attention


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


def people(staff: list[User]) -> dict[str, str]:
    return {str(user.id): user.display_name for user in staff}


def bulk_form(staff: list[User], **kwargs) -> BulkForm:
    # Prefixed: the filter form on the same page has fields called status and assignee too.
    form = BulkForm(prefix="bulk", **kwargs)
    form.assignee.choices = choices(
        {"me": _("Assign to me"), "none": _("Unassign"), **people(staff)}, _("Keep assignee")
    )
    return form


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


def properties_form(ticket: Ticket, staff: list[User], *, submitted: bool) -> PropertiesForm:
    if submitted:
        form = PropertiesForm(prefix="props")
    else:
        form = PropertiesForm(formdata=None, prefix="props", data=_current_values(ticket))
    names = people(staff)
    # An engineer who left stays selectable on their old tickets, or saving would silently unassign.
    if ticket.assignee is not None:
        names.setdefault(str(ticket.assignee_id), ticket.assignee.display_name)
    form.assignee.choices = choices(names, _("Unassigned"))
    return form


def render_ticket(
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
        props=props or properties_form(ticket, staff, submitted=False),
        merge=merge or MergeForm(formdata=None, prefix="merge"),
        current=_current_values(ticket),
        conflict=conflict,
    )
    return html, status


def show_conflict(ticket: Ticket, staff: list[User], **forms):
    """Show the ticket as it is now, keeping what the user typed, ready to be submitted again."""
    db.session.rollback()
    for form in forms.values():
        # The next submit is made against the values now on screen, so it carries their version.
        form.version.raw_data = None
        form.version.data = ticket.version
    return render_ticket(ticket, staff, conflict=True, status=409, **forms)


def add_error(field, message: str) -> None:
    """Show `message` next to `field` (after validation, `errors` may be a tuple)."""
    field.errors = [*field.errors, message]
