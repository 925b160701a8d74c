"""Fill a database with a desk's worth of realistic tickets: `python -m bench.generate --tickets N`.

Writes to DATABASE_URL (or --database-url): SQLite or PostgreSQL. It first brings the schema up to date
itself (the migrations, like `flask db upgrade`; a PostgreSQL database that does not exist is created),
then adds, in bulk:
- organisations of every tier (Chinese and English names), their customers, a few customers without
  one, engineers in teams and an admin; the default SLA calendars and policies;
- N tickets numbered after the ones already there, spread over the years a desk of that size needs
  (about 900 a day), with kinds, priorities, channels and products in realistic shares; young tickets
  mostly open, old ones closed; threads of 1 to 40 messages in Chinese or English (every 100th ticket
  has exactly 20), internal notes, the history the services would have written and the SLA clocks.

A million tickets take a few minutes on PostgreSQL (COPY, indexes rebuilt once at the end). Run it twice
and the second run adds N more. Sign in as engineer0@bench.example or admin@bench.example with the
password "bench-password" to look around. See bench/data.py for the shares and what is approximated.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from bench import data
from bench.loaders import Loader, analyze
from core.extensions import db
from core.models import Organisation, Team, User, team_members
from support.models import Message, Ticket

BATCH = 5_000
BIG_LOAD = 20_000  # from this many tickets on, indexes are dropped and rebuilt around the load
PASSWORD = "bench-password"
MARKER = "engineer0@bench.example"  # the generator's people exist once this account does
BULK_TABLES = ("tickets", "messages", "ticket_events", "sla_clocks")


def bench_app(url: str, **config):
    """The app against `url`, as the benchmarks use it: no search warm-up, a fixed secret."""
    from app import create_app

    settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "KB_WARM_UP": False}
    return create_app({**settings, **config})


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` when it does not exist (SQLite creates its file)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgres"):
        return
    admin = sa.create_engine(
        parsed.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            )
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    finally:
        admin.dispose()


def generate(app, tickets: int, *, seed: int = 7, now: datetime | None = None, quiet: bool = False) -> dict:
    """Add `tickets` tickets (and the people they need) to the app's database; returns what was written."""
    now = now or datetime.now(UTC).replace(microsecond=0)
    say = (lambda *_: None) if quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    began = time.perf_counter()
    with app.app_context():
        upgrade(revision="heads")  # "heads": a branch being merged must not stop a benchmark
        world = _world(tickets, seed, now)
        say(
            f"people: {sum(len(o.customers) for o in world.orgs)} customers in {len(world.orgs)} organisations"
        )
        first_id = (db.session.scalar(sa.select(sa.func.max(Ticket.id))) or 0) + 1
        first_message = (db.session.scalar(sa.select(sa.func.max(Message.id))) or 0) + 1
        db.session.commit()
        span = timedelta(days=min(max(tickets / 900, 30), 3 * 365))
        maker = data.TicketMaker(world, first_id=first_id, total=tickets, now=now, span=span, seed=seed)
        counts = dict.fromkeys(data.COLUMNS, 0)
        with db.engine.begin() as conn:
            loader = Loader.for_connection(conn)
            loader.prepare()
            rebuild = loader.drop_indexes(BULK_TABLES) if tickets >= BIG_LOAD else []
            message_id = first_message
            for offset in range(0, tickets, BATCH):
                count = min(BATCH, tickets - offset)
                rows, message_id = maker.batch(first_id + offset, count, message_id)
                for table, columns in data.COLUMNS.items():
                    loader.write(table, columns, rows[table])
                    counts[table] += len(rows[table])
                if (offset // BATCH) % 20 == 19:
                    say(f"  {offset + count:,} tickets written ({time.perf_counter() - began:.0f} s)")
            if rebuild:
                say(f"  building {len(rebuild)} indexes again")
            for ddl in rebuild:
                conn.exec_driver_sql(ddl)
            loader.finish()
        analyze(db.engine)
        db.engine.dispose()
    seconds = time.perf_counter() - began
    say(
        f"generated {counts['tickets']:,} tickets, {counts['messages']:,} messages, "
        f"{counts['ticket_events']:,} events, {counts['sla_clocks']:,} SLA clocks in {seconds:.0f} s"
    )
    return {**counts, "seconds": seconds, "first_id": first_id}


def _world(tickets: int, seed: int, now: datetime) -> data.World:
    """The people and policies, created the first time and read back on later runs."""
    from sla import services as sla_services

    if db.session.scalar(sa.select(User.id).where(User.email == MARKER)) is None:
        _create_people(tickets, random.Random(seed), now)
    policies = sla_services.ensure_defaults(now=now - timedelta(days=4 * 365))
    db.session.commit()
    orgs: dict[int, data.Org] = {}
    for org in db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.email_domains.like("%.bench.example"))
        .order_by(Organisation.id)
    ):
        orgs[org.id] = data.Org(org.id, org.tier, "zh" if "有限公司" in org.name else "en")
    loners = []
    customers = sa.select(User.id, User.organisation_id).where(
        User.email.like("%bench.example"), User.role == "customer"
    )
    for user_id, org_id in db.session.execute(customers.order_by(User.id)):
        if org_id in orgs:
            orgs[org_id].customers.append(user_id)
        elif org_id is None:
            loners.append(user_id)
    staff = sa.select(User.id, User.name).where(User.email.like("engineer%@bench.example")).order_by(User.id)
    return data.World(
        orgs=[o for o in orgs.values() if o.customers],
        loners=loners,
        engineers=dict(db.session.execute(staff).all()),
        policies=policies,
        settings_at=sla_services.settings_stamp(policies),
        calendar_of={p.id: sla_services.business_calendar(p.calendar) for p in policies},
    )


def _create_people(tickets: int, rng: random.Random, now: datetime) -> None:
    """Organisations, customers, engineers in teams and an admin, sized to the number of tickets."""
    from werkzeug.security import generate_password_hash

    password = generate_password_hash(PASSWORD)
    orgs = data.org_rows(min(max(tickets // 2000, 20), 500), rng)
    created = now - timedelta(days=4 * 365)
    db.session.execute(
        sa.insert(Organisation),
        [{**{k: o[k] for k in ("name", "tier", "email_domains")}, "created_at": created} for o in orgs],
    )
    ids = db.session.scalars(
        sa.select(Organisation.id)
        .where(Organisation.email_domains.like("%.bench.example"))
        .order_by(Organisation.id)
    ).all()
    people = []
    per_org = max(3, min(tickets // 100, 20_000) // len(orgs))
    for org_id, org in zip(ids, orgs, strict=True):
        for n in range(rng.randint(1, 2 * per_org)):
            people.append(
                _person(f"c{n}@{org['email_domains']}", "customer", org_id, org["lang"], rng, created)
            )
    for n in range(max(10, len(people) // 20)):
        people.append(_person(f"loner{n}@mail.bench.example", "customer", None, "en", rng, created))
    engineers = min(max(5, tickets // 25_000), 60)
    for n in range(engineers):
        person = _person(f"engineer{n}@bench.example", "engineer", None, ("zh", "en")[n % 2], rng, created)
        people.append({**person, "password_hash": password})
    people.append(
        {**_person("admin@bench.example", "admin", None, "en", rng, created), "password_hash": password}
    )
    db.session.execute(sa.insert(User), people)
    staff = db.session.scalars(sa.select(User.id).where(User.email.like("engineer%@bench.example"))).all()
    teams = ["Hardware", "Network", "Applications", "Upgrades"]
    db.session.execute(sa.insert(Team), [{"name": f"Bench {name}", "created_at": created} for name in teams])
    team_ids = db.session.scalars(sa.select(Team.id).where(Team.name.like("Bench %")).order_by(Team.id)).all()
    members = [
        {"team_id": team_ids[i % len(team_ids)], "user_id": user_id} for i, user_id in enumerate(staff)
    ]
    db.session.execute(sa.insert(team_members), members)
    db.session.commit()


def _person(email: str, role: str, org_id: int | None, lang: str, rng: random.Random, created) -> dict:
    return {
        "email": email,
        "name": data.person_name(rng, lang),
        "role": role,
        "organisation_id": org_id,
        "password_hash": None,
        "locale": "zh_Hans" if lang == "zh" else "en",
        "timezone": "Asia/Shanghai" if lang == "zh" else "Europe/London",
        "active": True,
        "created_at": created,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, required=True, help="how many tickets to add")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL"), help="default: DATABASE_URL"
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("set DATABASE_URL or give --database-url (the generator never guesses a database)")
    if args.tickets < 1:
        parser.error("--tickets must be at least 1")
    ensure_database(args.database_url)
    generate(bench_app(args.database_url), args.tickets, seed=args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
