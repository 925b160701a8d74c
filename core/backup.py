"""Backups: the database and the attachment files in one folder, with a manifest to check them against.

A backup folder holds
- `database.sqlite3` (SQLite's online backup API: a consistent copy while the app runs) or
  `database.pgdump` (pg_dump's custom format, taken in the same snapshot the manifest counts);
- `attachments/`, a copy of UPLOAD_DIR (files are named by their SHA-256, so a copy is checkable);
- `manifest.json`: when, from which backend and schema revision, how many rows of the tables people
  care about, and the count, size and checksum of the attachment files.

The database is copied first and the files second: a file is written (and synced) before the row
that names it is committed, so every attachment of the copied database is among the copied files.
Restoring checks the files against the manifest, loads the database, copies the files back and
checks the counts; the search index is not in a backup but rebuilt from the database afterwards
(`flask backup restore` runs `flask kb reindex`). The instance's secret key is not in a backup
either: a restore on a new machine only ends sessions and outstanding password-reset links.

This module knows the other packages' tables by name only (core imports no feature package).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from core.db import utcnow
from core.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
ATTACHMENTS = "attachments"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
# Counted into the manifest and checked after a restore (the tables that exist in this schema).
COUNTED = ("tickets", "messages", "attachments", "kb_articles", "users", "organisations", "mail_inbound")
# What `flask backup restore` runs afterwards: the derived data a backup leaves out.
REBUILD_COMMANDS = (("kb", "reindex"),)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def default_folder(now: datetime | None = None) -> Path:
    stamp = (now or utcnow()).strftime("%Y%m%d-%H%M%S")
    return Path(current_app.instance_path) / "backups" / stamp


def create(folder: Path) -> dict:
    """Write a backup of the app's database and attachments into `folder` (new or empty); returns
    the manifest."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; give a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    engine = db.engine
    if engine.dialect.name == "sqlite":
        counts, revision = _sqlite_dump(_sqlite_path(engine), folder / SQLITE_FILE)
    elif engine.dialect.name == "postgresql":
        counts, revision = _pg_dump(engine, folder / PG_FILE)
    else:
        raise BackupError(f"no backup for a {engine.dialect.name} database")
    _copy_files(Path(current_app.config["UPLOAD_DIR"]), folder / ATTACHMENTS)
    manifest = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "backend": engine.dialect.name,
        "schema_revision": revision,
        "counts": counts,
        "attachment_files": _checksum(folder / ATTACHMENTS),  # what was copied, not what is there now
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def restore(folder: Path, *, force: bool = False) -> dict:
    """Load the backup in `folder` into the app's database and UPLOAD_DIR; returns its manifest.

    Stop the web workers, the job runner and the LMTP receiver first. A database that already holds
    tables is replaced only with `force`. Raises BackupError when the backup does not check out.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    engine = db.engine
    if manifest["backend"] != engine.dialect.name:
        raise BackupError(
            f"this backup is of a {manifest['backend']} database; the app uses {engine.dialect.name}"
        )
    if _checksum(folder / ATTACHMENTS) != manifest["attachment_files"]:
        raise BackupError(f"the attachment files in {folder} do not match its manifest")
    db.session.remove()
    if sa.inspect(engine).get_table_names() and not force:
        raise BackupError("the database is not empty; pass --force to replace what it holds")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        _sqlite_load(folder / SQLITE_FILE, _sqlite_path(engine))
    else:
        _pg_load(engine, folder / PG_FILE)
    engine.dispose()  # no pooled connection may remember the database as it was
    _copy_files(folder / ATTACHMENTS, Path(current_app.config["UPLOAD_DIR"]))
    with engine.connect() as conn:
        counts = _counts(_SaTables(conn))
        missing = _missing_files(conn, Path(current_app.config["UPLOAD_DIR"]))
    if counts != manifest["counts"]:
        raise BackupError(f"restored {counts}, but the manifest says {manifest['counts']}")
    if missing:
        raise BackupError(f"{len(missing)} attachment files are missing, e.g. {missing[0]}")
    return manifest


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} is not a backup: no readable {MANIFEST} ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{folder} is a backup of format {manifest.get('format')}; this version reads {FORMAT}"
        )
    return manifest


# -- SQLite -------------------------------------------------------------------------------------------


def _sqlite_path(engine: sa.Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return path


def _sqlite_dump(source: str, target: Path) -> tuple[dict, str | None]:
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)  # one step: a consistent snapshot even while the app writes
        tables = _SqliteTables(copy)
        return _counts(tables), _revision(tables)


def _sqlite_load(source: Path, target: str) -> None:
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as copy, closing(sqlite3.connect(target)) as live:
        copy.backup(live)  # replaces every page of the live database


class _SqliteTables:
    """Enough of a connection for `_counts` and `_revision` on a plain sqlite3 one."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def tables(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def scalar(self, sql: str):
        return self.conn.execute(sql).fetchone()[0]


# -- PostgreSQL ---------------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; it comes with the PostgreSQL client "
            "(Debian: apt-get install postgresql-client), in the server's major version or newer"
        )
    return found


def _libpq(engine: sa.Engine) -> tuple[str, dict]:
    """The database as pg_dump and pg_restore take it, with the password in the environment
    (never on a command line, where `ps` shows it)."""
    url = engine.url
    env = {**os.environ, "PGPASSWORD": url.password} if url.password else dict(os.environ)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.returncode}")


def _pg_dump(engine: sa.Engine, target: Path) -> tuple[dict, str | None]:
    pg_dump = _pg_tool("pg_dump")
    dsn, env = _libpq(engine)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        # pg_dump reads in this transaction's snapshot: the manifest counts exactly what it dumps.
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
        tables = _SaTables(conn)
        counts, revision = _counts(tables), _revision(tables)
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", dsn], env)
    return counts, revision


def _pg_load(engine: sa.Engine, source: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    dsn, env = _libpq(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    _run(
        [pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
         f"--dbname={dsn}", str(source)],
        env,
    )  # fmt: skip


class _SaTables:
    """The same on a SQLAlchemy connection."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def tables(self) -> set[str]:
        return set(sa.inspect(self.conn).get_table_names())

    def scalar(self, sql: str):
        return self.conn.exec_driver_sql(sql).scalar()


# -- both -----------------------------------------------------------------------------------------------


def _counts(tables: _SqliteTables | _SaTables) -> dict[str, int]:
    present = tables.tables()
    return {name: tables.scalar(f'SELECT count(*) FROM "{name}"') for name in COUNTED if name in present}


def _revision(tables: _SqliteTables | _SaTables) -> str | None:
    if "alembic_version" not in tables.tables():
        return None
    return tables.scalar("SELECT min(version_num) FROM alembic_version")


def _missing_files(conn: sa.Connection, root: Path) -> list[str]:
    if "attachments" not in sa.inspect(conn).get_table_names():
        return []
    names = conn.exec_driver_sql("SELECT DISTINCT storage_path FROM attachments").scalars()
    return [name for name in names if not (root / name).is_file()]


def _files(root: Path) -> list[Path]:
    """The stored files under `root`, in a fixed order; half-written `.part` files are not files yet."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".part"))


def _checksum(root: Path) -> dict:
    digest, size, files = hashlib.sha256(), 0, _files(root)
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
        size += path.stat().st_size
    return {"count": len(files), "bytes": size, "sha256": digest.hexdigest()}


def _copy_files(source: Path, target: Path) -> None:
    """Copy the files under `source` to `target`; a file already there is kept (names are hashes)."""
    for path in _files(source):
        destination = target / path.relative_to(source)
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".part")
        shutil.copyfile(path, partial)
        os.replace(partial, destination)  # never a half-copied file under the real name
