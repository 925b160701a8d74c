"""An index for every filter and sort the queue offers: the plan of each page's query, on both databases.

The statement `support.queries.ticket_page` runs is captured and explained. On PostgreSQL the planner is
given a few thousand analysed tickets and told that sequential scans (and, where the index must give the
order, sorts) are prohibitively expensive (enable_seqscan / enable_sort off): it then still reads the
whole table or sorts only when no index could do the work.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db
from support import queries
from support.models import NO_SLA_DUE, Status, Ticket
from tests.factories import make_engineer, make_org, make_user

PRIMARY_KEY = "primary key"
OPEN = ["new", "open", "pending", "on_hold"]
# (case, viewer, filter fields, sort, the index (or indexes; "x*" is a prefix) that may serve it,
#  whether the index must also give the order)
CASES = [
    ("sla due", "engineer", {}, "sla_due", "ix_tickets_open_sla_due", True),
    ("priority", "engineer", {}, "priority", "ix_tickets_open_priority", True),
    ("oldest", "engineer", {}, "oldest", "ix_tickets_open_created", True),
    ("newest", "engineer", {}, "created", "ix_tickets_open_created", True),
    ("updated", "engineer", {}, "updated", "ix_tickets_open_updated", True),
    # A filter that keeps a quarter of the tickets: its own index, or the SLA index walked and filtered
    # (what PostgreSQL's planner prefers, knowing the numbers; SQLite without statistics takes the first).
    (
        "kind",
        "engineer",
        {"kind": "incident"},
        "sla_due",
        ("ix_tickets_open_kind_due", "ix_tickets_open_sla_due"),
        True,
    ),
    (
        "priority filter",
        "engineer",
        {"priority": "urgent"},
        "sla_due",
        ("ix_tickets_open_priority_due", "ix_tickets_open_sla_due"),
        True,
    ),
    ("assigned to me", "engineer", {"assignee": "me"}, "sla_due", "ix_tickets_open_assignee_due", True),
    # IS NULL or a list of people: their index and a sort, or the SLA index walked and filtered.
    (
        "unassigned",
        "engineer",
        {"assignee": "none"},
        "sla_due",
        ("ix_tickets_open_assignee_due", "ix_tickets_open_sla_due"),
        False,
    ),
    (
        "assigned to one",
        "engineer",
        {"assignee": "ENGINEER"},
        "sla_due",
        "ix_tickets_open_assignee_due",
        True,
    ),
    ("team", "engineer", {"assignee": "TEAM"}, "sla_due", ("ix_tickets_open_*",), False),
    ("organisation", "engineer", {"organisation_id": "ORG"}, "sla_due", "ix_tickets_open_org_due", True),
    ("product", "engineer", {"product": "Product 3"}, "sla_due", "ix_tickets_open_product_due", True),
    ("subject words", "engineer", {"text": "printer"}, "sla_due", "ix_tickets_open_sla_due", True),
    ("ticket number", "engineer", {"text": "#42"}, "sla_due", PRIMARY_KEY, False),
    ("one status", "engineer", {"statuses": ["pending"]}, "sla_due", "ix_tickets_status_sla_due", True),
    (
        "one status, priority",
        "engineer",
        {"statuses": ["closed"]},
        "priority",
        "ix_tickets_status_priority",
        True,
    ),
    ("every status, sla due", "engineer", {"statuses": []}, "sla_due", "ix_tickets_sla_due", True),
    ("every status, priority", "engineer", {"statuses": []}, "priority", "ix_tickets_priority_created", True),
    ("every status, newest", "engineer", {"statuses": []}, "created", "ix_tickets_created", True),
    ("every status, oldest", "engineer", {"statuses": []}, "oldest", "ix_tickets_created", True),
    ("every status, updated", "engineer", {"statuses": []}, "updated", "ix_tickets_updated", True),
    (
        "all six statuses (API)",
        "engineer",
        {"statuses": [s.value for s in Status]},
        "priority",
        "ix_tickets_priority_created",
        True,
    ),
    # The customer portal: the organisation's tickets or the customer's own, newest change first.
    ("portal, organisation", "customer", {"statuses": []}, "updated", "ix_tickets_org_updated", True),
    (
        "portal, mine",
        "customer",
        {"statuses": [], "requester_id": "CUSTOMER"},
        "updated",
        ("ix_tickets_requester_updated", "ix_tickets_org_updated"),
        True,
    ),
    (
        "portal, open",
        "customer",
        {"statuses": OPEN},
        "updated",
        ("ix_tickets_org_updated", "ix_tickets_open_*"),
        False,
    ),
]


@pytest.fixture
def desk():
    """A few thousand tickets, one in twenty open, spread over people, organisations and products:
    enough for PostgreSQL's planner to cost plans as it would on a real desk (statistics included)."""
    from core.models import Team

    engineers = [make_engineer() for _ in range(8)]
    orgs = [make_org() for _ in range(40)]  # one organisation holds 1 in 40: its own index pays
    customers = [make_user(org=org) for org in orgs]
    team = Team(name="Index team", members=engineers[:2])
    db.session.add(team)
    db.session.flush()
    now = datetime.now(UTC)
    statuses = ["new", "open", "pending", "on_hold"] + ["closed"] * 70 + ["resolved"] * 6
    kinds, priorities = (
        ["incident", "question", "maintenance", "upgrade"],
        ["urgent", "high", "normal", "low"],
    )
    rows = []
    for n in range(2000):
        status, customer = statuses[n % len(statuses)], customers[n % len(customers)]
        rows.append(
            {
                "subject": f"Printer {n} jams",
                "kind": kinds[n % 4],
                "priority": priorities[n % 3],
                "priority_rank": n % 3,
                "status": status,
                "channel": "web",
                "requester_id": customer.id,
                "organisation_id": customer.organisation_id,
                "assignee_id": engineers[n % 9].id if n % 9 < 8 else None,
                "product": f"Product {n % 12}",
                "component": "",
                "details": {},
                "created_at": now - timedelta(minutes=2000 - n),
                "updated_at": now - timedelta(minutes=2000 - n),
                "sla_due_at": now + timedelta(hours=n % 50) if status in ("new", "open") else NO_SLA_DUE,
                "version": 1,
            }
        )
    db.session.execute(sa.insert(Ticket.__table__), rows)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE tickets"))  # inside the test's transaction: rolled back too
    return {"engineer": engineers[0], "org": orgs[0], "team": team, "customer": customers[0]}


def page_statement(
    viewer, filters: queries.TicketFilter, sort: str, cursor: str | None = None
) -> tuple[str, object]:
    """The SQL (and parameters, as the driver got them) of the page's ticket query."""
    seen = []

    def hit(_conn, _cursor, statement, parameters, *_args):
        if re.search(r"\bFROM tickets\b", statement) and "LIMIT" in statement:
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", hit)
    try:
        queries.ticket_page(viewer, filters, sort=sort, cursor=cursor)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", hit)
    assert len(seen) == 1
    return seen[0]


def plan_of(statement: str, parameters, *, ordered: bool) -> tuple[list[str], bool]:
    """(indexes the plan reads tickets through, whether it sorts) — a full scan reads as "TABLE SCAN".

    On PostgreSQL sorting is made prohibitively expensive when the order must come from the index.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        details = [str(row[-1]) for row in rows]
        used = []
        for detail in details:
            match = re.match(
                r"(SCAN|SEARCH) tickets(?: USING (?:COVERING )?INDEX (\w+)| USING (INTEGER PRIMARY KEY))?",
                detail,
            )
            if match:
                used.append(match.group(2) or (PRIMARY_KEY if match.group(3) else "TABLE SCAN"))
        return used, any("TEMP B-TREE FOR ORDER BY" in d for d in details)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql(f"SET LOCAL enable_sort = {'off' if ordered else 'on'}")
    try:
        raw = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    finally:
        connection.exec_driver_sql("RESET enable_seqscan")
        connection.exec_driver_sql("RESET enable_sort")
    nodes = list(_walk((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]))
    used = []
    for node in nodes:
        if node.get("Relation Name") == "tickets":
            if node["Node Type"] == "Seq Scan":
                used.append("TABLE SCAN")
            elif node.get("Index Name"):
                used.append(PRIMARY_KEY if node["Index Name"] == "pk_tickets" else node["Index Name"])
        if node["Node Type"] == "Bitmap Index Scan" and node.get("Index Name", "").startswith(
            ("ix_tickets", "pk_tickets")
        ):
            used.append(PRIMARY_KEY if node["Index Name"] == "pk_tickets" else node["Index Name"])
    return used, any(node["Node Type"] in ("Sort", "Incremental Sort") for node in nodes)


def _walk(node):
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def test_every_queue_filter_and_sort_reads_through_an_index(desk):
    """One test over every case (the desk is built once); it names each case that went wrong."""
    stand_in = {
        "ENGINEER": str(desk["engineer"].id),
        "TEAM": f"team:{desk['team'].id}",
        "ORG": desk["org"].id,
        "CUSTOMER": desk["customer"].id,
    }
    problems = []
    for case, viewer, fields, sort, index, ordered in CASES:
        fields = {k: stand_in.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
        statement, parameters = page_statement(desk[viewer], queries.TicketFilter(**fields), sort)
        used, sorts = plan_of(statement, parameters, ordered=ordered)
        acceptable = (index,) if isinstance(index, str) else index
        if "TABLE SCAN" in used or not any(_matches(name, acceptable) for name in used):
            problems.append(f"{case}: read through {used}, expected one of {acceptable}")
        elif ordered and sorts:
            problems.append(f"{case}: sorted after reading instead of walking {used} in order")
    # Deeper pages start after the previous page's last row: the same index, entered at that key.
    for sort, index in [("sla_due", "ix_tickets_open_sla_due"), ("created", "ix_tickets_open_created")]:
        cursor = queries.ticket_page(desk["engineer"], queries.TicketFilter(), sort=sort, limit=5).next_cursor
        for direction in (cursor, "b" + cursor[1:]):
            statement, parameters = page_statement(desk["engineer"], queries.TicketFilter(), sort, direction)
            used, sorts = plan_of(statement, parameters, ordered=True)
            if index not in used or sorts:
                problems.append(f"{sort}, page {direction[0]}: read through {used}, sorted: {sorts}")
    assert not problems, "\n".join(problems)


def _matches(name: str, acceptable) -> bool:
    return any(name.startswith(a[:-1]) if a.endswith("*") else name == a for a in acceptable)
