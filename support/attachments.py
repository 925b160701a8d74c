"""Checking and storing uploaded files. Files are kept by content hash under UPLOAD_DIR."""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Response, current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from core.extensions import db
from core.failpoints import failpoint
from support.models import Attachment

# Files no row names are left this long before the sweep deletes them: far longer than any request.
ORPHAN_GRACE = timedelta(days=1)
_NEW_FILES = "aftercare_new_attachment_files"


@dataclass(frozen=True)
class Upload:
    """A file as a service receives it: plain data, whatever channel it came from."""

    filename: str
    data: bytes
    content_type: str = ""


class AttachmentRejected(ValueError):
    """An upload that breaks the size or type limits; the message is shown to the user."""


class AttachmentNotSaved(AttachmentRejected, OSError):
    """The disk refused the file (full, read-only). Shown next to the field like a refusal; an
    OSError too, so mail ingestion takes it as a temporary failure and the mail comes again."""


# Characters Windows refuses in names; as "_" the name also stays one token in a Content-Disposition.
_RESERVED_IN_NAMES = str.maketrans(dict.fromkeys('<>:"|?*', "_"))
FILENAME_MAX = 255  # the column's length
_EXTENSION_MAX = 16


def _kept_in_names(ch: str) -> bool:
    category = unicodedata.category(ch)
    # C*: controls, format characters such as U+202E (which shows "exe.txt" for "txt.exe"), unassigned;
    # Zl/Zp: line and paragraph separators.
    return category[0] != "C" and category not in ("Zl", "Zp")


def safe_filename(name: str) -> str:
    """A display-safe file name: the last path part only; no control, format (bidi overrides) or
    line-break characters; none of <>:"|?*; no leading or trailing dots; at most 255 characters,
    keeping a short extension when it has to be shortened."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if _kept_in_names(ch))
    name = " ".join(name.translate(_RESERVED_IN_NAMES).split()).strip(". ")
    if not name:
        return "attachment"
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= _EXTENSION_MAX:
            name = stem[: FILENAME_MAX - len(ext) - 1].rstrip(". ") + "." + ext
        else:
            name = name[:FILENAME_MAX].rstrip(". ")
    return name


# A downloaded file is never a page of ours: should a browser render it anyway, it runs nothing and
# reaches nothing, and other sites cannot embed it.
DOWNLOAD_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def send_attachment(attachment: Attachment) -> Response:
    """The stored file as a download: a neutral type whatever was uploaded (HTML or SVG must never
    render in our origin), `attachment` disposition with the sanitised name (RFC 5987 `filename*`
    when it is not ASCII), not cached."""
    response = send_file(
        path_of(attachment),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=safe_filename(attachment.filename),
        max_age=0,
    )
    response.headers.update(DOWNLOAD_HEADERS)
    return response


def check_upload(upload: Upload) -> None:
    """Raise AttachmentRejected with a message the user can act on."""
    config = current_app.config
    limit = config["ATTACHMENT_MAX_BYTES"]
    if len(upload.data) > limit:
        raise AttachmentRejected(
            _l(
                "%(name)s is too large (%(size)s MB); the limit is %(limit)s MB per file.",
                name=upload.filename,
                size=round(len(upload.data) / 1048576, 1),
                limit=limit // 1048576,
            )
        )
    ext = upload.filename.rpartition(".")[2].lower() if "." in upload.filename else ""
    allowed = config["ATTACHMENT_EXTENSIONS"]
    if allowed and ext not in allowed:
        raise AttachmentRejected(
            _l(
                "%(name)s: files of this type are not accepted. Allowed: %(types)s.",
                name=upload.filename,
                types=", ".join(allowed),
            )
        )


def store(upload: Upload) -> Attachment:
    """Write the file (once per distinct content) and return an unsaved Attachment row for it.

    Raises AttachmentNotSaved when the disk refuses the file. A file written here is deleted again
    if the transaction rolls back; what a crash leaves behind, `sweep_orphan_files` removes.
    """
    digest = hashlib.sha256(upload.data).hexdigest()
    relative = Path(digest[:2]) / digest
    try:
        _write_once(Path(current_app.config["UPLOAD_DIR"]) / relative, upload.data)
    except OSError as exc:
        current_app.logger.error("attachment %r not saved: %s", upload.filename, exc)
        raise AttachmentNotSaved(
            _l(
                "%(name)s could not be saved: the server has no room for files right now. "
                "Nothing was saved; try again later.",
                name=upload.filename,
            )
        ) from exc
    filename = safe_filename(upload.filename)
    content_type = upload.content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Attachment(
        filename=filename,
        content_type=content_type[:100],
        size=len(upload.data),
        sha256=digest,
        storage_path=str(relative),
    )


def path_of(attachment: Attachment) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / attachment.storage_path


def sweep_orphan_files(now: datetime, *, grace: timedelta = ORPHAN_GRACE) -> int:
    """Delete the files no attachment row names that nobody wrote or reused within `grace`.

    They are what a crash between writing a file and committing its row leaves (a killed worker, a
    power cut): the row never came, and no rollback ran to take the file back. Returns how many.
    """
    root = Path(current_app.config["UPLOAD_DIR"])
    cutoff = (now - grace).timestamp()
    stale = [p for p in root.glob("??/*") if p.is_file() and p.stat().st_mtime < cutoff]
    named = set()
    for start in range(0, len(stale), 500):
        names = [f"{p.parent.name}/{p.name}" for p in stale[start : start + 500]]
        query = sa.select(Attachment.storage_path).where(Attachment.storage_path.in_(names))
        named.update(db.session.scalars(query))
    removed = 0
    for path in stale:
        with contextlib.suppress(FileNotFoundError):
            # Looked at again: an upload may have reused it since the list was made.
            if f"{path.parent.name}/{path.name}" not in named and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


def _write_once(path: Path, data: bytes) -> None:
    """Put `data` at `path` unless that content is there already, durably, before any row names it."""
    try:
        _touch(path)  # reused: fresh again, so neither the sweep nor another upload's rollback takes it
        return
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own, then a rename: a crash or a full disk never leaves a half file under the
    # final name, and two uploads of the same content at once never write into one file.
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        failpoint("attachment.write")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    session = db.session()
    # Begun here if need be, so that a rollback before any SQL still takes the file back.
    owner = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_NEW_FILES, []).append((owner, path, _touch(path)))


def _touch(path: Path) -> int:
    """Stamp the file with a fine-grained now and return the stamp as the file system keeps it."""
    stamp = time.time_ns()
    os.utime(path, ns=(stamp, stamp))
    return path.stat().st_mtime_ns


# The files a transaction wrote live and die with it. A savepoint's files pass to its parent when it
# is released and are deleted when it is rolled back; the outermost transaction settles them all.
@sa.event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    ending = session.get_nested_transaction()
    files = session.info.pop(_NEW_FILES, [])
    if ending is not None:
        session.info[_NEW_FILES] = [(ending.parent if o is ending else o, p, s) for o, p, s in files]


@sa.event.listens_for(Session, "after_rollback")
def _discard_new_files(session: Session) -> None:
    ending = session.get_nested_transaction()
    files = session.info.pop(_NEW_FILES, [])
    if ending is not None:
        session.info[_NEW_FILES] = [f for f in files if f[0] is not ending]
        files = [f for f in files if f[0] is ending]
    for _owner, path, stamp in files:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime_ns == stamp:  # else another upload reused it since: keep it
                path.unlink()
