"""Administration of users, organisations and invitations (admins only)."""

from flask import Blueprint, render_template

from core.auth import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@role_required("admin")
def index():
    return render_template("admin/index.html")
