"""The declarative base every model shares, and the one way to get "now"."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import DeclarativeBase, registry

# Named constraints let Alembic drop and alter them on every backend (SQLite batch mode included).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes in and out, on every backend.

    PostgreSQL keeps time zones (timestamptz); SQLite does not, so values are stored as naive UTC
    there and made aware again on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


@sa.event.listens_for(sa.engine.Engine, "do_connect")
def _connect_timeouts(dialect, _record, _cargs, cparams) -> None:
    """Give up after 10 s, so that a request answers 503 "try again" (core/errors.py) rather than hang.

    SQLite waits that long for another writer's lock before "database is locked"; PostgreSQL for a
    server that does not answer at all. `?timeout=` / `?connect_timeout=` in the URL say otherwise.
    """
    if dialect.name == "sqlite":
        cparams.setdefault("timeout", 10.0)
    elif dialect.name == "postgresql":
        cparams.setdefault("connect_timeout", 10)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_connect(dbapi_connection, _record) -> None:
    """Make SQLite behave: foreign keys on, waits instead of "database is locked", real SAVEPOINTs.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT (SQLAlchemy's documented
    recipe): hand transaction control to SQLAlchemy, which then emits BEGIN itself (see below).
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_writing: ContextVar[bool] = ContextVar("aftercare_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Mark the transactions begun inside as ones that will write (SQLite: BEGIN IMMEDIATE).

    For work outside a request that reads and then writes: a job, a mail being taken in.
    """
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def writes_on_get(view):
    """Mark a GET view that writes (a search log, a view count): on SQLite it begins as a writer."""
    view.writes_on_get = True
    return view


def _request_will_write() -> bool:
    if not has_request_context():
        return False
    if request.method not in _SAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "writes_on_get", False)


@sa.event.listens_for(sa.engine.Engine, "begin")
def _sqlite_begin(connection) -> None:
    """On SQLite, a transaction that will write takes the write lock when it begins.

    A plain (deferred) BEGIN reads from a snapshot; if another connection commits before this one
    first writes, SQLite refuses the write at once with "database is locked", without waiting out the
    busy timeout. Taking the lock up front makes writers queue instead. Reads stay deferred, so a long
    report never holds up a reply.
    """
    if connection.dialect.name != "sqlite":
        return
    will_write = _writing.get() or _request_will_write()
    connection.exec_driver_sql("BEGIN IMMEDIATE" if will_write else "BEGIN")
