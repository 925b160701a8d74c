"""Checking and storing uploaded files. Files are kept by content hash under UPLOAD_DIR."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from support.models import Attachment


@dataclass(frozen=True)
class Upload:
    """A file as a service receives it: plain data, whatever channel it came from."""

    filename: str
    data: bytes
    content_type: str = ""


class AttachmentRejected(ValueError):
    """An upload that breaks the size or type limits; the message is shown to the user."""


def safe_filename(name: str) -> str:
    """A display-safe file name: no path, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        return "attachment"
    stem, dot, ext = name.rpartition(".")
    if len(name) > 255:
        name = (stem[: 250 - len(ext)] + dot + ext) if dot else name[:255]
    return name


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
    """Write the file (once per distinct content) and return an unsaved Attachment row for it."""
    digest = hashlib.sha256(upload.data).hexdigest()
    relative = Path(digest[:2]) / digest
    path = Path(current_app.config["UPLOAD_DIR"]) / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a crash or a full disk never leaves a half file under the final name.
        tmp = path.with_suffix(".part")
        tmp.write_bytes(upload.data)
        os.replace(tmp, path)
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
