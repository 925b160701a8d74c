"""Reads on tickets: who may see what, the queue with keyset pagination, lists and history."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.models import Organisation, Role, Team, User, team_members
from support.models import DONE_STATUSES, OPEN_STATUSES, Attachment, Message, Status, Ticket, TicketEvent

# Each sort is a tuple of columns walked in one direction, ending in the id so the order is total:
# that is what lets a page start "after the last row" (keyset) instead of counting past offsets.
SORTS: dict[str, tuple[tuple, bool]] = {
    "priority": ((Ticket.priority_rank, Ticket.created_at, Ticket.id), False),
    "oldest": ((Ticket.created_at, Ticket.id), False),
    "created": ((Ticket.created_at, Ticket.id), True),
    "updated": ((Ticket.updated_at, Ticket.id), True),
    # Soonest SLA due time first; tickets with no running clock carry NO_SLA_DUE and come last.
    "sla_due": ((Ticket.sla_due_at, Ticket.priority_rank, Ticket.id), False),
}
DEFAULT_SORT = "priority"


def visible_to(viewer: User) -> sa.ColumnElement[bool]:
    """The condition for tickets `viewer` may see: staff all, a customer their organisation's."""
    if viewer.is_staff:
        return sa.true()
    if viewer.organisation_id is None:
        return Ticket.requester_id == viewer.id
    return Ticket.organisation_id == viewer.organisation_id


def ticket_for(viewer: User, number: int) -> Ticket | None:
    """The ticket with this number if `viewer` may see it; None otherwise (don't reveal it exists)."""
    return db.session.scalar(sa.select(Ticket).where(Ticket.id == number, visible_to(viewer)))


@dataclass
class TicketFilter:
    statuses: list[str] = field(default_factory=lambda: [str(s) for s in OPEN_STATUSES])
    kind: str | None = None
    priority: str | None = None
    assignee: str | None = None  # "me", "none", a user id or "team:<id>" (any member of that team)
    organisation_id: int | None = None
    product: str | None = None
    requester_id: int | None = None
    text: str | None = None


@dataclass
class Page:
    tickets: list[Ticket]
    next_cursor: str | None
    prev_cursor: str | None


def ticket_page(
    viewer: User,
    filters: TicketFilter,
    *,
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """One page of tickets visible to `viewer`, by keyset: no offset, no count, fast at any depth.

    The cursor is opaque to callers: "a" + the last row's sort key for the next page, "b" + the first
    row's key for the previous one.
    """
    columns, descending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    stmt = (
        sa.select(Ticket)
        .where(visible_to(viewer), *_conditions(viewer, filters))
        .options(joinedload(Ticket.requester), joinedload(Ticket.assignee), joinedload(Ticket.organisation))
    )
    direction, key = _decode_cursor(cursor, columns)
    backwards = direction == "b"
    if key is not None:
        row = sa.tuple_(*columns)
        bound = sa.tuple_(*(sa.literal(v, type_=c.type) for c, v in zip(columns, key, strict=True)))
        forward_is_greater = not descending
        stmt = stmt.where(row > bound if forward_is_greater != backwards else row < bound)
    walk_descending = descending != backwards
    stmt = stmt.order_by(*(c.desc() if walk_descending else c.asc() for c in columns)).limit(limit + 1)
    rows = list(db.session.scalars(stmt).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else True
    has_prev = (key is not None) if not backwards else more
    return Page(
        tickets=rows,
        next_cursor=_encode_cursor("a", rows[-1], columns) if rows and has_next else None,
        prev_cursor=_encode_cursor("b", rows[0], columns) if rows and has_prev else None,
    )


def _conditions(viewer: User, f: TicketFilter) -> list[sa.ColumnElement[bool]]:
    conditions = []
    if f.statuses and (status := _status_condition(f.statuses)) is not None:
        conditions.append(status)
    if f.kind:
        conditions.append(Ticket.kind == f.kind)
    if f.priority:
        conditions.append(Ticket.priority == f.priority)
    if f.assignee == "me":
        conditions.append(Ticket.assignee_id == viewer.id)
    elif f.assignee == "none":
        conditions.append(Ticket.assignee_id.is_(None))
    elif f.assignee and str(f.assignee).isdigit():
        conditions.append(Ticket.assignee_id == int(f.assignee))
    elif (team_id := _team_id(f.assignee)) is not None:
        members = sa.select(team_members.c.user_id).where(team_members.c.team_id == team_id)
        conditions.append(Ticket.assignee_id.in_(members))
    if f.organisation_id:
        conditions.append(Ticket.organisation_id == f.organisation_id)
    if f.product:
        conditions.append(Ticket.product == f.product)
    if f.requester_id:
        conditions.append(Ticket.requester_id == f.requester_id)
    if f.text and f.text.strip():
        conditions.append(_text_condition(f.text.strip()))
    return conditions


def _status_condition(statuses: list[str]) -> sa.ColumnElement[bool] | None:
    """The status filter, written so the queue's partial indexes serve it; None for every status.

    The open statuses read `status NOT IN ('resolved', 'closed')`, exactly the indexes' condition
    (support.models.OPEN_CONDITION); other choices list their values. Values are written out, not
    bound: neither SQLite nor PostgreSQL matches a partial index's condition to a parameter.
    """
    wanted = {str(s) for s in statuses}
    known = [s.value for s in Status]
    if wanted.issuperset(known):
        return None
    done = [s.value for s in DONE_STATUSES]
    if wanted == {s.value for s in OPEN_STATUSES}:
        return Ticket.status.not_in(_written_out(done))
    return Ticket.status.in_(
        _written_out([s for s in known if s in wanted] + sorted(wanted.difference(known)))
    )


def _written_out(values: list[str]) -> sa.BindParameter:
    return sa.bindparam("statuses", values, expanding=True, literal_execute=True, type_=sa.String())


def _team_id(assignee: str | None) -> int | None:
    """The id in "team:<id>"; None for anything else (ASCII digits that fit an INTEGER only)."""
    text = str(assignee or "")
    number = text.removeprefix("team:")
    if number == text or not (number.isascii() and number.isdigit() and len(number) < 10):
        return None
    return int(number)


def _text_condition(text: str) -> sa.ColumnElement[bool]:
    """ "#42" is ticket 42; "42" is ticket 42 or a subject containing 42; anything else searches subjects."""
    number = text.removeprefix("#")
    # ASCII digits only ("²".isdigit() is true but int() refuses it), and small enough for the column.
    is_number = number.isascii() and number.isdigit() and len(number) < 10
    if is_number and text.startswith("#"):
        return Ticket.id == int(number)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    in_subject = Ticket.subject.ilike(f"%{escaped}%", escape="\\")
    return sa.or_(Ticket.id == int(number), in_subject) if is_number else in_subject


def cursor_is_valid(cursor: str, sort: str = DEFAULT_SORT) -> bool:
    """Whether `ticket_page` made this cursor for this sort; ticket_page reads any other as "first page"."""
    columns, _descending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return _decode_cursor(cursor, columns)[0] is not None


def _encode_cursor(direction: str, ticket: Ticket, columns) -> str:
    values = [_jsonable(getattr(ticket, c.key)) for c in columns]
    return direction + base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, columns) -> tuple[str | None, list | None]:
    """The direction and key in a cursor; a damaged or foreign cursor reads as "first page"."""
    if not cursor or cursor[0] not in "ab":
        return None, None
    try:
        raw = cursor[1:] + "=" * (-len(cursor[1:]) % 4)
        values = json.loads(base64.urlsafe_b64decode(raw))
        if not isinstance(values, list) or len(values) != len(columns):
            return None, None
        key = [_from_json(c, v) for c, v in zip(columns, values, strict=True)]
    except (ValueError, TypeError, OverflowError):
        return None, None
    return cursor[0], key


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _from_json(column, value):
    if column.key.endswith("_at"):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive time in cursor")
        return parsed.astimezone(UTC)  # OverflowError near year 1 or 9999, before the database sees it
    # A hand-made cursor may carry any integer; one beyond the column's type is a database error.
    bound = 2**15 - 1 if isinstance(column.type, sa.SmallInteger) else 2**31 - 1
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > bound:
        raise ValueError("bad cursor value")
    return value


def thread(ticket: Ticket, *, include_internal: bool) -> list[Message]:
    """The ticket's messages in order, with authors and attachments, in one query.

    Attachments are joined rather than selected in a second query: a page shows the thread on every
    view, and on PostgreSQL each round trip costs more than the few repeated message columns.
    """
    stmt = (
        sa.select(Message)
        .where(Message.ticket_id == ticket.id)
        .options(joinedload(Message.author), joinedload(Message.attachments))
        .order_by(Message.created_at, Message.id)
    )
    if not include_internal:
        stmt = stmt.where(Message.internal.is_(False))
    return list(db.session.scalars(stmt).unique())


def history(ticket: Ticket) -> list[TicketEvent]:
    """Every recorded change of the ticket, oldest first."""
    stmt = (
        sa.select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .options(joinedload(TicketEvent.actor))
        .order_by(TicketEvent.at, TicketEvent.id)
    )
    return list(db.session.scalars(stmt))


def staff_users() -> list[User]:
    """Engineers and admins who can take tickets, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role.in_([Role.engineer, Role.admin]), User.active.is_(True))
            .order_by(User.name, User.email)
        )
    )


def teams() -> list[Team]:
    """Teams by name, for filter menus."""
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def organisation_names() -> list[tuple[int, str]]:
    """(id, name) of every organisation by name, for filter menus: rows, not objects, as a desk may
    serve hundreds of them."""
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)
        )
    ]


def products() -> list[str]:
    """Products that tickets name, for filter menus.

    A loose index scan: each step asks the product index for the next name after the last one, so a
    dozen products cost a dozen lookups, not a pass over every ticket (DISTINCT would read them all).
    """
    found = (
        sa.select(sa.func.min(Ticket.product).label("product"))
        .where(Ticket.product > "")
        .cte("products", recursive=True)
    )
    following = (
        sa.select(sa.func.min(Ticket.product)).where(Ticket.product > found.c.product).scalar_subquery()
    )
    found = found.union_all(sa.select(following.label("product")).where(found.c.product.is_not(None)))
    stmt = sa.select(found.c.product).where(found.c.product.is_not(None)).order_by(found.c.product)
    return list(db.session.scalars(stmt))


def attachment_for(viewer: User, attachment_id: int) -> Attachment | None:
    """An attachment if `viewer` may see its ticket and, for customers, its message is public."""
    stmt = (
        sa.select(Attachment)
        .join(Message, Attachment.message_id == Message.id)
        .join(Ticket, Message.ticket_id == Ticket.id)
        .where(Attachment.id == attachment_id, visible_to(viewer))
    )
    if not viewer.is_staff:
        stmt = stmt.where(Message.internal.is_(False))
    return db.session.scalar(stmt)


def customer_replied(tickets: list[Ticket]) -> set[int]:
    """Numbers of the tickets whose latest public message is the customer's, after staff had answered:
    the queue marks them, as the customer is waiting on us again."""
    answered = [t.id for t in tickets if t.first_response_at is not None]
    if not answered:
        return set()
    latest = (
        sa.select(Message.ticket_id, sa.func.max(Message.id).label("message_id"))
        .where(Message.ticket_id.in_(answered), Message.internal.is_(False))
        .group_by(Message.ticket_id)
        .subquery()
    )
    stmt = (
        sa.select(latest.c.ticket_id)
        .join(Message, Message.id == latest.c.message_id)
        .outerjoin(User, User.id == Message.author_id)
        .where(sa.or_(User.id.is_(None), User.role == Role.customer))
    )
    return set(db.session.scalars(stmt))
