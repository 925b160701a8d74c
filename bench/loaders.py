"""Bulk writes for the generator: COPY on PostgreSQL (psycopg), SQLAlchemy core executemany on SQLite.

Both work inside the caller's transaction. For a big load the secondary indexes of the bulk tables are
dropped first and built again at the end (one sort per index instead of millions of inserts into them);
DDL is transactional on both backends, so a failed load leaves the database as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from core.extensions import db


class Loader:
    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    @staticmethod
    def for_connection(connection: sa.Connection) -> Loader:
        if connection.dialect.name == "postgresql":
            return PostgresLoader(connection)
        return SqliteLoader(connection)

    def write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        raise NotImplementedError

    def drop_indexes(self, tables: Iterable[str]) -> list[str]:
        """Drop the tables' secondary indexes (not those behind a key); returns the DDL that rebuilds them."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Session settings that speed up the load (best effort)."""

    def finish(self) -> None:
        """After the load: sequences and planner statistics."""


class SqliteLoader(Loader):
    def write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if rows:
            target = db.metadata.tables[table]
            self.connection.execute(sa.insert(target), [dict(zip(columns, row, strict=True)) for row in rows])

    def drop_indexes(self, tables: Iterable[str]) -> list[str]:
        names = list(tables)
        found = self.connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join('?' for _ in names)})",
            tuple(names),
        ).all()
        for name, _sql in found:
            self.connection.exec_driver_sql(f'DROP INDEX "{name}"')
        return [sql for _name, sql in found]

    def prepare(self) -> None:
        self.connection.exec_driver_sql("PRAGMA cache_size = -200000")  # 200 MB for the index builds

    def finish(self) -> None:
        self.connection.exec_driver_sql("ANALYZE")


class PostgresLoader(Loader):
    def write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        target = db.metadata.tables[table]
        as_json = [i for i, c in enumerate(columns) if isinstance(target.c[c].type, sa.JSON)]
        raw = self.connection.connection.driver_connection
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                if as_json:
                    row = list(row)
                    for i in as_json:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)

    def drop_indexes(self, tables: Iterable[str]) -> list[str]:
        found = self.connection.execute(
            sa.text(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = ANY(:tables) AND t.relnamespace = current_schema()::regnamespace "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            ),
            {"tables": list(tables)},
        ).all()
        for name, _ddl in found:
            self.connection.exec_driver_sql(f'DROP INDEX "{name}"')
        return [ddl for _name, ddl in found]

    def prepare(self) -> None:
        self.connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        self.connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        # Foreign-key triggers fire once per copied row; the generator's keys are right by construction.
        # Only a superuser may switch them off: anyone else loads a little slower.
        try:
            with self.connection.begin_nested():
                self.connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        except sa.exc.DBAPIError:
            pass

    def finish(self) -> None:
        self.connection.exec_driver_sql("SET LOCAL session_replication_role = DEFAULT")
        for table in db.metadata.sorted_tables:
            key = list(table.primary_key.columns)
            if len(key) == 1 and key[0].name == "id" and isinstance(key[0].type, sa.Integer):
                # Set the sequence past the rows written with explicit ids, so the app's next insert works.
                self.connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                    )
                )


def analyze(engine: sa.Engine) -> None:
    """Planner statistics for the new rows (outside the load's transaction: VACUUM cannot run in one)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
