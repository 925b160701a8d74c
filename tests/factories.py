"""Plain factory functions for tests: make_x(**overrides) builds a valid row and flushes it."""

from __future__ import annotations

import itertools

from core import services as accounts
from core.extensions import db
from core.models import Organisation, Role, User
from support import services
from support.models import Ticket

_seq = itertools.count(1)


def make_org(name: str | None = None, *, tier: str = "standard", domains: str = "") -> Organisation:
    return accounts.get_or_create_organisation(name or f"Org {next(_seq)}", tier=tier, domains=domains)


def make_user(
    email: str | None = None,
    *,
    role: str = Role.customer,
    org: Organisation | None = None,
    password: str | None = "correct horse",
    **kwargs,
) -> User:
    n = next(_seq)
    if role == Role.customer and org is None:
        org = make_org()
    return accounts.create_user(
        email or f"{role}{n}@example.com",
        role=role,
        organisation=org,
        password=password,
        name=kwargs.pop("name", f"{role.title()} {n}"),
        **kwargs,
    )


def make_engineer(**kwargs) -> User:
    return make_user(role=Role.engineer, org=None, **kwargs)


def make_admin(**kwargs) -> User:
    return make_user(role=Role.admin, org=None, **kwargs)


def make_ticket(requester: User | None = None, **overrides) -> Ticket:
    fields = {
        "subject": f"Printer on floor {next(_seq)} does not print",
        "body": "It shows error E-42 since this morning.",
        "kind": "incident",
        "priority": "normal",
    }
    fields.update(overrides)
    ticket = services.open_ticket(requester=requester or make_user(), **fields)
    db.session.flush()
    return ticket
