"""Attachment downloads, with the same rights as the ticket they belong to."""

from flask import Blueprint, abort
from flask_login import current_user, login_required

from support import queries
from support.attachments import path_of, send_attachment

bp = Blueprint("attachments", __name__)


@bp.get("/attachments/<int:attachment_id>/<path:filename>")
@login_required
def download(attachment_id: int, filename: str):
    # Customers: public messages of tickets they may see; an internal note's files are staff's.
    attachment = queries.attachment_for(current_user, attachment_id)
    if attachment is None or not path_of(attachment).exists():
        abort(404)
    return send_attachment(attachment)
