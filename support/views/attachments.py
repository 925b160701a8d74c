"""Attachment downloads, with the same rights as the ticket they belong to."""

from flask import Blueprint, abort, send_file
from flask_login import current_user, login_required

from support import queries
from support.attachments import path_of

bp = Blueprint("attachments", __name__)


@bp.get("/attachments/<int:attachment_id>/<path:filename>")
@login_required
def download(attachment_id: int, filename: str):
    attachment = queries.attachment_for(current_user, attachment_id)
    if attachment is None:
        abort(404)
    path = path_of(attachment)
    if not path.exists():
        abort(404)
    # Always a download with a neutral type: an uploaded HTML or SVG file must never run in our origin.
    return send_file(
        path,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
